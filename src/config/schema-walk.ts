// Reading zod schemas as data: which fields an object at some path accepts (for "valid fields: …"
// messages and the documentation check), and where secret references sit in a connector config.
import { z } from 'zod';
import type { PathSegment } from './issue.ts';
import { secretRefSchema, type SecretRef } from './secret.ts';

/** Strips wrappers that do not change the shape: optional, default, pipe (transform) and the like. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNonOptional ||
      current instanceof z.ZodCatch
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The schema that validates the value at `path` under `schema`; for a union, the first option that has it. */
export function schemaAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType | undefined {
  const current = unwrap(schema);
  if (path.length === 0) return current;
  const [segment, ...rest] = path as [PathSegment, ...PathSegment[]];
  if (current instanceof z.ZodObject) {
    const child = (current.shape as Record<string, z.ZodType>)[String(segment)];
    return child === undefined ? undefined : schemaAt(child, rest);
  }
  if (current instanceof z.ZodArray) return schemaAt(current.element as z.ZodType, rest);
  if (current instanceof z.ZodRecord) return schemaAt(current.valueType as z.ZodType, rest);
  if (current instanceof z.ZodUnion) {
    for (const option of current.options as readonly z.ZodType[]) {
      const found = schemaAt(option, path);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The field names an object at `path` accepts (empty when it is not an object). */
export function fieldsAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  const target = schemaAt(schema, path);
  if (target instanceof z.ZodObject) return Object.keys(target.shape);
  if (target instanceof z.ZodUnion) {
    for (const option of target.options as readonly z.ZodType[]) {
      const inner = unwrap(option);
      if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
    }
  }
  return [];
}

export interface FieldInfo {
  /** Dotted from the object it belongs to, e.g. `retry.initialDelay`. */
  readonly name: string;
  readonly required: boolean;
  /** The default as written in the file (before parsing), when there is one. */
  readonly default?: unknown;
}

/** Every field of an object schema, nested objects included as `parent.child`. */
export function listFields(schema: z.ZodType, prefix = ''): FieldInfo[] {
  const object = unwrap(schema);
  if (!(object instanceof z.ZodObject)) return [];
  const out: FieldInfo[] = [];
  for (const [key, child] of Object.entries(object.shape as Record<string, z.ZodType>)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    let required = true;
    let defaultValue: unknown = undefined;
    let hasDefault = false;
    for (let current: z.ZodType = child; ; ) {
      if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
        required = false;
        current = current.unwrap() as z.ZodType;
      } else if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
        required = false;
        hasDefault = true;
        defaultValue = current.def.defaultValue;
        current = current.unwrap() as z.ZodType;
      } else {
        break;
      }
    }
    out.push(hasDefault ? { name, required, default: defaultValue } : { name, required });
    out.push(...listFields(child, name));
  }
  return out;
}

export interface SecretAt {
  readonly path: readonly PathSegment[];
  readonly ref: SecretRef;
}

/** The secret references in a parsed value, found where its schema uses `secretRefSchema`. */
export function findSecretRefs(schema: z.ZodType, value: unknown, path: readonly PathSegment[] = []): SecretAt[] {
  if (schema === secretRefSchema) return [{ path, ref: value as SecretRef }];
  const inner = unwrap(schema);
  if (inner === secretRefSchema) return value === undefined ? [] : [{ path, ref: value as SecretRef }];
  if (!(inner instanceof z.ZodObject) || value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
    findSecretRefs(child, record[key], [...path, key]),
  );
}
