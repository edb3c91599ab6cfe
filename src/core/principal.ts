// Who is asking. The identity source (API tokens now, OIDC later) produces a Principal;
// policy only ever looks at its id and groups.
import type { PrincipalId } from './ids.ts';

export interface Principal {
  readonly id: PrincipalId;
  readonly groups: readonly string[];
  readonly displayName?: string;
}

/** A reference to people in policy: `user:alice` or `group:ops`. */
export type SubjectRef = `user:${string}` | `group:${string}`;

export const SUBJECT_REF = /^(user|group):(.+)$/;

export function isSubjectRef(text: string): text is SubjectRef {
  return SUBJECT_REF.test(text);
}

export function matchesSubject(principal: Principal, ref: SubjectRef): boolean {
  const colon = ref.indexOf(':');
  const kind = ref.slice(0, colon);
  const name = ref.slice(colon + 1);
  return kind === 'user' ? principal.id === name : principal.groups.includes(name);
}

export function matchesAny(principal: Principal, refs: readonly SubjectRef[]): boolean {
  return refs.some((ref) => matchesSubject(principal, ref));
}
