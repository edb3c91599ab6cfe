// What the config loader needs to know about a kind of connector: the schema of its config block,
// the schema of the target fields its roles carry, and how to turn the validated block into its typed
// config. Kinds are listed in connector-kinds.ts.
import type { z } from 'zod';
import type { RoleTarget } from '../core/role.ts';
import type { Reporter } from './issue-collector.ts';
import type { ConnectorConfig } from './types.ts';
import { PARSE_PARAMS } from './zod-issues.ts';

export interface ConnectorLoadContext {
  /** Reports problems under `connectors.NAME`. */
  readonly report: Reporter;
  /** A path written in the config, made absolute against the config file's folder. */
  resolvePath(written: string): string;
}

/** A role's target fields for one kind, e.g. `{ group }` for LDAP. Every value is text. */
export type TargetSchema = z.ZodObject<Record<string, z.ZodType<string | undefined>>>;

export interface ConnectorKind {
  /** The block as written under `connectors.NAME` (defaults, field names: what the docs describe). */
  readonly configSchema: z.ZodObject;
  readonly targetSchema: TargetSchema;
  /** The typed config, or undefined after reporting why there is none. */
  load(raw: unknown, context: ConnectorLoadContext): ConnectorConfig | undefined;
  /** Optional: what is wrong with a secret's value (e.g. a CA key that is not a key), checked at load. */
  checkSecret?(field: string, value: string): string | undefined;
  /** Its connectors can say who a principal's manager is (roles may then name `manager` as an approver). */
  readonly findsManagers: boolean;
}

export function defineConnectorKind<Schema extends z.ZodObject>(definition: {
  readonly configSchema: Schema;
  readonly targetSchema: TargetSchema;
  /** Called with the validated block; may report further problems (returning undefined). */
  readonly toConfig: (input: z.output<Schema>, context: ConnectorLoadContext) => ConnectorConfig | undefined;
  readonly checkSecret?: (field: string, value: string) => string | undefined;
  readonly findsManagers?: boolean;
}): ConnectorKind {
  return {
    findsManagers: definition.findsManagers ?? false,
    ...(definition.checkSecret ? { checkSecret: definition.checkSecret } : {}),
    configSchema: definition.configSchema,
    targetSchema: definition.targetSchema,
    load(raw, context) {
      const parsed = definition.configSchema.safeParse(raw, PARSE_PARAMS);
      if (!parsed.success) {
        context.report.zod(parsed.error, definition.configSchema);
        return undefined;
      }
      return definition.toConfig(parsed.data, context);
    },
  };
}

/** Narrows a validated target to the plain string record a Role carries. */
export function toRoleTarget(target: Readonly<Record<string, string | undefined>>): RoleTarget {
  return Object.fromEntries(Object.entries(target).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
