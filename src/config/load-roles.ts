// The `roles:` section. A role mixes connector-independent fields (role-schema.ts) with its target
// fields, whose schema depends on the kind of the connector it names.
import { ConnectorName, RoleName } from '../core/ids.ts';
import type { ApprovalPolicy, ManualApproval, Role, UsageLimits } from '../core/role.ts';
import type { ConnectorKind } from './connector-kind.ts';
import { toRoleTarget } from './connector-kind.ts';
import { CONNECTOR_KINDS } from './connector-kinds.ts';
import type { Reporter } from './issue-collector.ts';
import { checkName, isPlainObject } from './names.ts';
import { DEFAULT_ROLE_DURATION_MS, ROLE_FIELDS, roleSchema, type RoleFile } from './role-schema.ts';
import { parseConfigDuration, quote } from './units.ts';
import { PARSE_PARAMS } from './zod-issues.ts';

const MIN_ROLE_DURATION_MS = 1_000;

/** Target fields any kind knows: what an unknown field is compared with when the role's kind is unknown. */
const ANY_TARGET_FIELDS = [...new Set(Object.values(CONNECTOR_KINDS).flatMap((kind) => Object.keys(kind.targetSchema.shape)))];

export function loadRoles(entries: Readonly<Record<string, unknown>>, declared: ReadonlyMap<string, ConnectorKind | undefined>, report: Reporter): Role[] {
  const section = report.under('roles');
  const roles: Role[] = [];
  for (const [name, raw] of Object.entries(entries)) {
    const role = loadRole(name, raw, declared, section);
    if (role !== undefined) roles.push(role);
  }
  return roles;
}

function loadRole(name: string, raw: unknown, declared: ReadonlyMap<string, ConnectorKind | undefined>, section: Reporter): Role | undefined {
  let ok = checkName(name, section);
  const here = section.under(name);
  const problem: Reporter['problem'] = (...args) => {
    ok = false;
    here.problem(...args);
  };
  if (!isPlainObject(raw)) {
    problem([], `must be a mapping (got ${quote(raw)})`, 'invalid_type');
    return undefined;
  }
  const common: Record<string, unknown> = {};
  const targetFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) (ROLE_FIELDS.includes(key) ? common : targetFields)[key] = value;

  const parsed = roleSchema.safeParse(common, PARSE_PARAMS);
  if (!parsed.success) here.zod(parsed.error, roleSchema);
  else {
    const kind = typeof raw.connector === 'string' ? declared.get(raw.connector) : undefined;
    const exceeded = parsed.data.limits?.whenExceeded;
    for (const [path, approval] of [[['approval', 'from'], parsed.data.approval], [['limits', 'whenExceeded', 'from'], exceeded]] as const) {
      if (approval === undefined || typeof approval === 'string' || !approval.from.includes('manager')) continue;
      if (kind !== undefined && !kind.findsManagers) {
        problem([...path], `manager: connector ${quote(raw.connector)} cannot tell who a requester's manager is (only ldap connectors can); name the approvers instead`, 'unsupported_feature');
      }
    }
  }
  const target = checkTarget(raw.connector, targetFields, declared, problem, here);
  // Checked on the raw values so that they are reported even when another field of the role is wrong.
  checkPolicy(raw, problem);
  if (!ok || !parsed.success || target === undefined) return undefined;
  const file = parsed.data;
  return {
    name: RoleName(name),
    ...(file.description === undefined ? {} : { description: file.description }),
    connector: ConnectorName(file.connector),
    target,
    eligible: file.eligible,
    approval: approvalPolicy(file.approval),
    defaultDurationMs: file.defaultDuration ?? Math.min(DEFAULT_ROLE_DURATION_MS, file.maxDuration),
    maxDurationMs: file.maxDuration,
    requireReason: file.requireReason,
    ...(file.ticketPattern === undefined ? {} : { ticketPattern: file.ticketPattern }),
    enforce: file.enforce,
    breakGlass: file.breakGlass,
    ...(file.limits === undefined ? {} : { limits: usageLimits(file.limits) }),
    maxExtendedDurationMs: file.maxExtendedDuration ?? file.maxDuration,
  };
}

/** The role's target fields, validated by its connector's kind; undefined after reporting a problem. */
function checkTarget(
  connector: unknown,
  fields: Record<string, unknown>,
  declared: ReadonlyMap<string, ConnectorKind | undefined>,
  problem: Reporter['problem'],
  here: Reporter,
): Record<string, string> | undefined {
  if (typeof connector === 'string' && connector !== '' && !declared.has(connector)) {
    const names = [...declared.keys()].sort();
    const known = names.length === 0 ? 'no connectors are declared' : `declared connectors: ${names.join(', ')}`;
    problem(['connector'], `unknown connector ${quote(connector)} (${known})`, 'unknown_connector');
  }
  const kind = typeof connector === 'string' ? declared.get(connector) : undefined;
  if (kind === undefined) {
    // Without a known kind the target cannot be checked (the connector's problem is reported, here or
    // under connectors), but a field no kind knows is a typo worth reporting now.
    const valid = [...ROLE_FIELDS, ...ANY_TARGET_FIELDS].sort();
    for (const key of Object.keys(fields)) {
      if (!ANY_TARGET_FIELDS.includes(key)) problem([key], `unknown field "${key}" (valid fields: ${valid.join(', ')})`, 'unknown_field', 'key');
    }
    return undefined;
  }
  const parsed = kind.targetSchema.safeParse(fields, PARSE_PARAMS);
  if (!parsed.success) {
    here.zod(parsed.error, kind.targetSchema, ROLE_FIELDS);
    return undefined;
  }
  return toRoleTarget(parsed.data);
}

/** Checks between fields and beyond the schema: durations' bounds and order, the ticket pattern. */
function checkPolicy(raw: Record<string, unknown>, problem: Reporter['problem']): void {
  const maxMs = typeof raw.maxDuration === 'string' ? parseConfigDuration(raw.maxDuration) : undefined;
  const defaultMs = typeof raw.defaultDuration === 'string' ? parseConfigDuration(raw.defaultDuration) : undefined;
  if (maxMs !== undefined && maxMs < MIN_ROLE_DURATION_MS) problem(['maxDuration'], 'must be at least 1s', 'invalid_value');
  if (defaultMs !== undefined && defaultMs < MIN_ROLE_DURATION_MS) problem(['defaultDuration'], 'must be at least 1s', 'invalid_value');
  if (maxMs !== undefined && defaultMs !== undefined && defaultMs > maxMs) {
    problem(['defaultDuration'], `${quote(raw.defaultDuration)} is longer than maxDuration ${quote(raw.maxDuration)}`, 'duration_order');
  }
  const extendedMs = typeof raw.maxExtendedDuration === 'string' ? parseConfigDuration(raw.maxExtendedDuration) : undefined;
  if (maxMs !== undefined && extendedMs !== undefined && extendedMs < maxMs) {
    problem(['maxExtendedDuration'], `${quote(raw.maxExtendedDuration)} is shorter than maxDuration ${quote(raw.maxDuration)}`, 'duration_order');
  }
  if (typeof raw.ticketPattern === 'string' && raw.ticketPattern !== '') {
    const error = regexError(raw.ticketPattern);
    if (error !== undefined) problem(['ticketPattern'], `/${raw.ticketPattern}/ is not a valid regular expression (${error})`, 'bad_pattern');
  }
}

/** Why a pattern does not compile, as the engine compiles it (anchored); undefined when it does. */
function regexError(pattern: string): string | undefined {
  try {
    new RegExp(`^(?:${pattern})$`);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // "Invalid regular expression: /^(?:INC-(\d+)$/: Unterminated group" → "Unterminated group"
    return message.slice(message.lastIndexOf(': ') + 2);
  }
}

function approvalPolicy(approval: RoleFile['approval']): ApprovalPolicy {
  return approval === 'auto' ? { mode: 'auto' } : manualApproval(approval);
}

function manualApproval(approval: Exclude<RoleFile['approval'], 'auto'>): ManualApproval {
  return { mode: 'manual', required: approval.required, from: approval.from, timeoutMs: approval.timeout };
}

function usageLimits(limits: NonNullable<RoleFile['limits']>): UsageLimits {
  return {
    ...(limits.maxActivationsPer === undefined ? {} : { maxActivations: { count: limits.maxActivationsPer.count, windowMs: limits.maxActivationsPer.window } }),
    ...(limits.maxTotalDuration === undefined ? {} : { maxTotalDuration: { durationMs: limits.maxTotalDuration.duration, windowMs: limits.maxTotalDuration.window } }),
    whenExceeded: limits.whenExceeded === 'refuse' ? { mode: 'refuse' } : manualApproval(limits.whenExceeded),
  };
}
