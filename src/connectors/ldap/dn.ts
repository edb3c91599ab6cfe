// Distinguished names (RFC 4514): escaping a value, parsing a DN string, and a normalised form for
// comparing DNs the way a directory does. ldapts builds DNs but does not parse them, and directories
// return DNs in their own spelling (OpenLDAP turns `\,` into `\2C` and `UID=` into `uid=`), so jitd must
// parse what it reads back rather than compare strings.

/** One `type=value` pair; an RDN holds one or more (`cn=a+sn=b`). */
export interface Ava {
  /** Attribute type as written (descriptor or numeric OID). */
  readonly type: string;
  /** The value, unescaped. A BER-encoded `#hex` value is kept as written, with `ber: true`. */
  readonly value: string;
  readonly ber: boolean;
}

export type Rdn = readonly Ava[];

export class DnSyntaxError extends Error {
  constructor(dn: string, reason: string) {
    super(`"${dn}" is not a valid DN: ${reason}`);
    this.name = 'DnSyntaxError';
  }
}

/** Escapes one attribute value for use in a DN string (RFC 4514 section 2.4). */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i] ?? '';
    if (c === '\0') out += '\\00';
    else if ('"+,;<>\\='.includes(c)) out += `\\${c}`;
    else if ((c === ' ' || c === '#') && i === 0) out += `\\${c}`;
    else if (c === ' ' && i === value.length - 1) out += '\\ ';
    else out += c;
  }
  return out;
}

const SPECIALS = ' "#+,;<=>\\';
const HEX = /^[0-9a-fA-F]{2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a DN string into RDNs, first (most specific) RDN first. The empty string is the root DN (no RDNs). */
export function parseDn(dn: string): Rdn[] {
  let i = 0;
  const fail = (reason: string): never => {
    throw new DnSyntaxError(dn, `${reason} at position ${i + 1}`);
  };
  const skipSpaces = (): void => {
    while (dn[i] === ' ') i += 1;
  };

  const readType = (): string => {
    const m = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)/.exec(dn.slice(i));
    if (!m) return fail('expected an attribute type such as cn or uid');
    i += m[0].length;
    return m[0];
  };

  const readValue = (): { value: string; ber: boolean } => {
    if (dn[i] === '#') {
      const m = /^#(?:[0-9a-fA-F]{2})+/.exec(dn.slice(i));
      if (!m) return fail('expected hex pairs after #');
      i += m[0].length;
      return { value: m[0], ber: true };
    }
    const bytes: number[] = [];
    let significant = 0; // length of `bytes` up to the last character that is not an unescaped trailing space
    const push = (text: string, keep: boolean): void => {
      bytes.push(...Buffer.from(text, 'utf8'));
      if (keep) significant = bytes.length;
    };
    if (dn[i] === '"') {
      // RFC 2253 quoted value, still sent by some older directories.
      i += 1;
      for (;;) {
        const c = dn[i];
        if (c === undefined) return fail('unterminated quoted value');
        if (c === '"') break;
        if (c === '\\') {
          i += 1;
          if (dn[i] === undefined) return fail('dangling backslash');
        }
        const char = String.fromCodePoint(dn.codePointAt(i) ?? 0);
        push(char, true);
        i += char.length;
      }
      i += 1;
    } else {
      while (i < dn.length) {
        const c = dn[i] ?? '';
        if (c === ',' || c === '+' || c === ';') break;
        if (c === '\\') {
          const next = dn[i + 1];
          if (next !== undefined && SPECIALS.includes(next)) {
            push(next, true);
            i += 2;
          } else if (HEX.test(dn.slice(i + 1, i + 3))) {
            bytes.push(Number.parseInt(dn.slice(i + 1, i + 3), 16));
            significant = bytes.length;
            i += 3;
          } else {
            return fail('a backslash must be followed by a special character or two hex digits');
          }
        } else {
          // Whole code points, so that characters outside the BMP (two UTF-16 units) stay intact.
          const char = String.fromCodePoint(dn.codePointAt(i) ?? 0);
          push(char, char !== ' ');
          i += char.length;
        }
      }
    }
    try {
      return { value: utf8.decode(Uint8Array.from(bytes.slice(0, significant))), ber: false };
    } catch {
      return fail('the escaped bytes are not UTF-8');
    }
  };

  const rdns: Rdn[] = [];
  skipSpaces();
  if (i === dn.length) return rdns;
  for (;;) {
    const avas: Ava[] = [];
    for (;;) {
      skipSpaces();
      const type = readType();
      skipSpaces();
      if (dn[i] !== '=') fail(`expected "=" after "${type}"`);
      i += 1;
      skipSpaces();
      avas.push({ type, ...readValue() });
      skipSpaces();
      if (dn[i] !== '+') break;
      i += 1;
    }
    rdns.push(avas);
    if (i === dn.length) return rdns;
    if (dn[i] !== ',' && dn[i] !== ';') fail('expected "," between RDNs');
    i += 1;
  }
}

/** A DN string in RFC 4514 form (types and values as parsed, values re-escaped). */
export function formatDn(rdns: readonly Rdn[]): string {
  return rdns.map((rdn) => rdn.map((ava) => `${ava.type}=${ava.ber ? ava.value : escapeDnValue(ava.value)}`).join('+')).join(',');
}

/** Folds a value the way caseIgnoreMatch does: case and runs of spaces do not matter. */
export function foldValue(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/ +/g, ' ').trim();
}

function normalizeAva(ava: Ava): string {
  return `${ava.type.toLowerCase()}=${ava.ber ? ava.value.toLowerCase() : escapeDnValue(foldValue(ava.value))}`;
}

/**
 * A comparison key for a DN: types lower-cased, values case- and space-folded and re-escaped, the AVAs
 * of a multi-valued RDN sorted. Two DNs that a directory treats as the same (for the naming attributes
 * used in practice: cn, uid, ou, dc, o — all case-insensitive) get the same key.
 */
export function normalizeDn(dn: string | readonly Rdn[]): string {
  const rdns = typeof dn === 'string' ? parseDn(dn) : dn;
  return rdns.map((rdn) => rdn.map(normalizeAva).sort().join('+')).join(',');
}

/** True when `dn` parses as a non-empty DN. */
export function isDn(dn: string): boolean {
  try {
    return parseDn(dn).length > 0;
  } catch {
    return false;
  }
}
