// The `userDn` template both ways: principal id → member DN (for grant/revoke/holds), and member DN →
// principal id (for inspect), so that the reconciler can compare what the directory holds with leases.
import { escapeDnValue, foldValue, normalizeDn, parseDn } from './dn.ts';
import type { Rdn } from './dn.ts';

const PLACEHOLDER = '{principal}';
// Stands in for {principal} while the template is parsed: only characters that need no escaping.
const SENTINEL = 'jitdprincipal7f3a9c';

export interface PrincipalDnTemplate {
  /** The member DN for a principal id (the id escaped per RFC 4514). */
  dnOf(principal: string): string;
  /** The principal id a member DN stands for, or undefined when the DN does not fit the template. */
  principalOf(memberDn: string): string | undefined;
}

/** Parses a `userDn` template such as `uid={principal},ou=people,dc=example,dc=com`; throws with a reason when unusable. */
export function parsePrincipalDnTemplate(template: string): PrincipalDnTemplate {
  const count = template.split(PLACEHOLDER).length - 1;
  if (count !== 1) throw new Error(`userDn "${template}" must contain {principal} exactly once`);
  let rdns: Rdn[];
  try {
    rdns = parseDn(template.replace(PLACEHOLDER, SENTINEL));
  } catch {
    throw new Error(`userDn "${template}" is not a valid DN template (e.g. uid={principal},ou=people,dc=example,dc=com)`);
  }
  const at = rdns.findIndex((rdn) => rdn.some((ava) => ava.value.includes(SENTINEL)));
  const rdn = rdns[at];
  const ava = rdn?.find((a) => a.value.includes(SENTINEL));
  if (!rdn || !ava || ava.ber) throw new Error(`userDn "${template}": {principal} must be inside an attribute value`);
  const [prefix = '', suffix = ''] = ava.value.split(SENTINEL);
  const otherAvas = rdn.filter((a) => a !== ava);
  const rest = rdns.map((r, i) => (i === at ? '' : normalizeDn([r])));
  const foldedPrefix = foldValue(prefix);
  const foldedSuffix = foldValue(suffix);

  return {
    // A function replacement: a string one would interpret `$&` and friends inside the principal id.
    dnOf: (principal) => template.replace(PLACEHOLDER, () => escapeDnValue(principal)),
    principalOf: (memberDn) => {
      let member: Rdn[];
      try {
        member = parseDn(memberDn);
      } catch {
        return undefined;
      }
      if (member.length !== rdns.length) return undefined;
      for (let i = 0; i < member.length; i += 1) {
        if (i !== at && normalizeDn([member[i] ?? []]) !== rest[i]) return undefined;
      }
      const memberRdn = member[at] ?? [];
      if (memberRdn.length !== rdn.length) return undefined;
      const candidate = memberRdn.find((a) => a.type.toLowerCase() === ava.type.toLowerCase() && !a.ber);
      if (!candidate) return undefined;
      const others = memberRdn.filter((a) => a !== candidate);
      if (normalizeDn([others]) !== normalizeDn([otherAvas])) return undefined;
      const value = candidate.value;
      if (value.length < prefix.length + suffix.length) return undefined;
      // Prefix and suffix compare case-insensitively, like the directory; the principal keeps its spelling.
      if (foldValue(value.slice(0, prefix.length)) !== foldedPrefix) return undefined;
      if (foldValue(value.slice(value.length - suffix.length)) !== foldedSuffix) return undefined;
      const principal = value.slice(prefix.length, value.length - suffix.length);
      return principal.length > 0 ? principal : undefined;
    },
  };
}
