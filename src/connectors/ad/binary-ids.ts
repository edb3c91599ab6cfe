// Active Directory's two binary identifiers in their text forms: objectSid as `S-1-5-21-…` (MS-DTYP
// 2.4.2) and objectGUID as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, whose first three fields are stored
// little-endian (MS-DTYP 2.3.4). In LDAP filters they go as bytes (ldapts' EqualityFilter with a Buffer):
// ldapts mangles `\xx` escapes of bytes ≥ 0x80 in string filters (measured).

const SID_TEXT = /^S-1-(\d+)((?:-\d+){0,15})$/;
const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isSidText(text: string): boolean {
  return sidToBytes(text) !== undefined;
}

/** The binary SID for its text form, or undefined when the text is not a SID. */
export function sidToBytes(text: string): Buffer | undefined {
  const m = SID_TEXT.exec(text);
  if (!m) return undefined;
  const authority = BigInt(m[1] ?? '0');
  const subs = (m[2] ?? '').split('-').filter((s) => s.length > 0).map(BigInt);
  if (authority >= 2n ** 48n || subs.some((s) => s >= 2n ** 32n)) return undefined;
  const out = Buffer.alloc(8 + 4 * subs.length);
  out[0] = 1;
  out[1] = subs.length;
  out.writeUIntBE(Number(authority), 2, 6);
  subs.forEach((s, i) => out.writeUInt32LE(Number(s), 8 + 4 * i));
  return out;
}

/** The text form of a binary SID; throws when the bytes are not one. */
export function sidFromBytes(bytes: Buffer): string {
  const count = bytes[1] ?? 0;
  if (bytes.length < 8 || bytes[0] !== 1 || bytes.length !== 8 + 4 * count) throw new Error(`not a SID (${bytes.length} bytes)`);
  const subs: number[] = [];
  for (let i = 0; i < count; i += 1) subs.push(bytes.readUInt32LE(8 + 4 * i));
  return ['S', '1', String(bytes.readUIntBE(2, 6)), ...subs.map(String)].join('-');
}

/** The binary GUID for its text form, or undefined when the text is not a GUID. */
export function guidToBytes(text: string): Buffer | undefined {
  if (!GUID_TEXT.test(text)) return undefined;
  const hex = Buffer.from(text.replaceAll('-', ''), 'hex');
  const out = Buffer.from(hex);
  out.writeUInt32LE(hex.readUInt32BE(0), 0);
  out.writeUInt16LE(hex.readUInt16BE(4), 4);
  out.writeUInt16LE(hex.readUInt16BE(6), 6);
  return out;
}

/** The text form (lower case) of a 16-byte binary GUID; throws when the bytes are not one. */
export function guidFromBytes(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`not a GUID (${bytes.length} bytes)`);
  const h = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  const tail = bytes.subarray(8).toString('hex');
  return `${h(bytes.readUInt32LE(0), 8)}-${h(bytes.readUInt16LE(4), 4)}-${h(bytes.readUInt16LE(6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}
