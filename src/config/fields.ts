// Zod building blocks for jitd.yaml's field types. Each reports a problem with its own issue code
// (carried in `params.code`) and a message that shows what was written and what would be accepted.
import { z } from 'zod';
import { isSubjectRef, type SubjectRef } from '../core/principal.ts';
import type { ConfigIssueCode } from './issue.ts';
import { notADuration, notAListenAddress, notASize, parseConfigDuration, parseListen, parseSize, quote } from './units.ts';

function issueParams(code: ConfigIssueCode): { code: ConfigIssueCode } {
  return { code };
}

/**
 * A field whose text is parsed by `parse`. Built on `z.unknown()` so that a number where text was
 * expected (`maxDuration: 90`) gets the field's own message, not a generic type error.
 */
function parsedField<T>(parse: (input: unknown) => T | undefined, message: (input: unknown) => string, code: ConfigIssueCode) {
  return z.unknown().transform((input, ctx): T => {
    const value = input === undefined ? undefined : parse(input);
    if (value === undefined) {
      if (input === undefined) {
        // Reached only when the field has no default: a missing required field.
        ctx.issues.push({ code: 'custom', input, message: 'is required', params: issueParams('missing_field') });
        return z.NEVER;
      }
      ctx.issues.push({ code: 'custom', input, message: message(input), params: issueParams(code) });
      return z.NEVER;
    }
    return value;
  });
}

/** A duration such as 30m or 250ms, read as milliseconds. */
export const durationField = parsedField((input) => (typeof input === 'string' ? parseConfigDuration(input) : undefined), notADuration, 'bad_duration');

/** A size such as 64kb or 4096, read as bytes. */
export const sizeField = parsedField(
  (input) => (typeof input === 'string' || typeof input === 'number' ? parseSize(input) : undefined),
  notASize,
  'bad_size',
);

/** host:port, read as { host, port }. */
export const listenField = parsedField((input) => (typeof input === 'string' ? parseListen(input) : undefined), notAListenAddress, 'bad_address');

/** `user:NAME` or `group:NAME`. */
export const subjectRefField = z.custom<SubjectRef>((input) => typeof input === 'string' && isSubjectRef(input), {
  error: (issue) => `${quote(issue.input)} is not user:NAME or group:NAME`,
  params: issueParams('bad_subject'),
});

export const subjectRefList = z.array(subjectRefField);

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** Hex SHA-256, as `sha256sum` prints it; compared in lower case. */
export const sha256Field = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : 'must be 64 hexadecimal characters in quotes') })
  .refine((text) => HEX_SHA256.test(text), {
    error: 'must be 64 hexadecimal characters (the SHA-256 of the token, as sha256sum prints it)',
    params: issueParams('bad_token_hash'),
  })
  .transform((text) => text.toLowerCase());

export const nonEmptyString = z.string().min(1);

/** A relative path is resolved later, against the config file's folder (or dataDir for the store). */
export const pathField = z.string().min(1);
