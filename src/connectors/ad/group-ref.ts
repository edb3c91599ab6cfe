// How a role names its AD group: by DN (`CN=Domain Admins,CN=Users,DC=corp,DC=example,DC=com`), by SID
// (`S-1-5-21-…-512`, which survives renames and moves) or by name (the group's sAMAccountName, e.g.
// `Domain Admins`). Each is resolved to the group's objectGUID once, and the GUID is what jitd keeps.
import { parseDn } from '../ldap/dn.ts';
import { isSidText } from './binary-ids.ts';

export type GroupRef =
  | { readonly kind: 'dn'; readonly text: string }
  | { readonly kind: 'sid'; readonly text: string }
  | { readonly kind: 'name'; readonly text: string };

/** Reads a group reference; `problem` says why it cannot name a group. */
export function describeGroupRef(text: string): { ref?: GroupRef; problem?: string } {
  if (text.trim() !== text || text.length === 0) return { problem: 'must not be empty or start or end with a space' };
  if (/^S-\d/i.test(text)) {
    return isSidText(text) ? { ref: { kind: 'sid', text } } : { problem: `"${text}" is not a SID (expected S-1-5-21-…)` };
  }
  if (text.includes('=')) {
    try {
      if (parseDn(text).length === 0) return { problem: 'must be a DN, a SID or a group name' };
      return { ref: { kind: 'dn', text } };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }
  // sAMAccountName rules (MS-ADTS 3.1.1.5.2.2 and the UI's): at most 256, none of these characters.
  if (/["/\\[\]:;|=,+*?<>]/.test(text)) return { problem: `"${text}" is neither a DN nor a SID, and a group name cannot contain any of "/\\[]:;|=,+*?<>` };
  if (text.length > 256) return { problem: 'a group name is at most 256 characters' };
  return { ref: { kind: 'name', text } };
}
