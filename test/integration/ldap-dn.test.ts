// DN escaping, parsing and the userDn template, without a server (pure functions the LDAP connector is
// built on; the integration tests next to this file check the same round trip through a real slapd).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeDnValue, formatDn, normalizeDn, parseDn } from '../../src/connectors/ldap/dn.ts';
import { parsePrincipalDnTemplate } from '../../src/connectors/ldap/principal-dn.ts';

const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string());

describe('DN values', () => {
  test('escaping follows RFC 4514: specials anywhere, # and space at the start, space at the end, NUL as hex', () => {
    assert.equal(escapeDnValue("o'neil, jr"), "o'neil\\, jr");
    assert.equal(escapeDnValue('a+b=c;d<e>f"g\\h'), 'a\\+b\\=c\\;d\\<e\\>f\\"g\\\\h');
    assert.equal(escapeDnValue('#x'), '\\#x');
    assert.equal(escapeDnValue('x#'), 'x#');
    assert.equal(escapeDnValue(' x '), '\\ x\\ ');
    assert.equal(escapeDnValue('a\0b'), 'a\\00b');
  });

  test('any value survives escaping and parsing unchanged', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const [rdn] = parseDn(`cn=${escapeDnValue(value)},dc=x`);
        assert.equal(rdn?.[0]?.value, value);
      }),
      { numRuns: 500 },
    );
  });
});

describe('DN parsing', () => {
  test('hex escapes, as OpenLDAP returns them, decode to UTF-8 text', () => {
    assert.deepEqual(parseDn("uid=o'neil\\2C jr,ou=People,dc=jitd"), [
      [{ type: 'uid', value: "o'neil, jr", ber: false }],
      [{ type: 'ou', value: 'People', ber: false }],
      [{ type: 'dc', value: 'jitd', ber: false }],
    ]);
    assert.equal(parseDn('cn=zo\\C3\\AB')[0]?.[0]?.value, 'zoë');
  });

  test('multi-valued RDNs, spaces around separators, quoted values and #hex values are understood', () => {
    assert.deepEqual(parseDn(' cn = a + sn=b , dc="x,y" ; o=#04024869'), [
      [
        { type: 'cn', value: 'a', ber: false },
        { type: 'sn', value: 'b', ber: false },
      ],
      [{ type: 'dc', value: 'x,y', ber: false }],
      [{ type: 'o', value: '#04024869', ber: true }],
    ]);
  });

  test('the empty string is the root DN', () => {
    assert.deepEqual(parseDn(''), []);
  });

  test('malformed DNs are rejected with the reason and position', () => {
    assert.throws(() => parseDn('admins'), { message: '"admins" is not a valid DN: expected "=" after "admins" at position 7' });
    assert.throws(() => parseDn('cn=a\\x'), { message: '"cn=a\\x" is not a valid DN: a backslash must be followed by a special character or two hex digits at position 5' });
    assert.throws(() => parseDn('cn=a,,dc=x'), { message: '"cn=a,,dc=x" is not a valid DN: expected an attribute type such as cn or uid at position 6' });
    assert.throws(() => parseDn('cn=\\ff'), { message: '"cn=\\ff" is not a valid DN: the escaped bytes are not UTF-8 at position 7' });
  });

  test('formatting what was parsed gives back an equivalent DN', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('cn', 'uid', 'ou', 'dc'), anyText), { minLength: 1, maxLength: 4 }), (pairs) => {
        const dn = pairs.map(([t, v]) => `${t}=${escapeDnValue(v)}`).join(',');
        assert.equal(formatDn(parseDn(dn)), dn);
      }),
      { numRuns: 300 },
    );
  });

  test('normalised DNs ignore the case of types and values, spacing and escaping style', () => {
    assert.equal(normalizeDn('UID=Alice, OU=People,DC=Example'), normalizeDn('uid=alice,ou=people,dc=example'));
    assert.equal(normalizeDn("uid=o'neil\\2C jr,dc=x"), normalizeDn("uid=o'neil\\, jr,dc=x"));
    assert.equal(normalizeDn('cn=a+sn=b,dc=x'), normalizeDn('sn=B+cn=A,dc=x'));
    assert.notEqual(normalizeDn('uid=alice,dc=x'), normalizeDn('uid=alice2,dc=x'));
  });
});

describe('userDn template', () => {
  const template = parsePrincipalDnTemplate('uid={principal},ou=people,dc=jitd,dc=test');

  test('a principal id becomes an escaped member DN', () => {
    assert.equal(template.dnOf("o'neil, jr"), "uid=o'neil\\, jr,ou=people,dc=jitd,dc=test");
    assert.equal(template.dnOf("$&$'"), "uid=$&$',ou=people,dc=jitd,dc=test");
  });

  test('member DNs map back to principal ids, however the directory spells the fixed parts', () => {
    assert.equal(template.principalOf("uid=o'neil\\2C jr,ou=People,dc=JITD,dc=test"), "o'neil, jr");
    assert.equal(template.principalOf('UID=Alice, ou=people, dc=jitd, dc=test'), 'Alice');
  });

  test('member DNs outside the template do not map to a principal', () => {
    assert.equal(template.principalOf('uid=alice,ou=services,dc=jitd,dc=test'), undefined);
    assert.equal(template.principalOf('cn=alice,ou=people,dc=jitd,dc=test'), undefined);
    assert.equal(template.principalOf('uid=alice+cn=x,ou=people,dc=jitd,dc=test'), undefined);
    assert.equal(template.principalOf('uid=alice,dc=jitd,dc=test'), undefined);
    assert.equal(template.principalOf('not a dn'), undefined);
  });

  test('every non-empty principal id round-trips through the template', () => {
    fc.assert(
      fc.property(anyText.filter((s) => s.length > 0), (id) => {
        assert.equal(template.principalOf(template.dnOf(id)), id);
      }),
      { numRuns: 500 },
    );
  });

  test('a principal inside a longer value is found between the fixed prefix and suffix', () => {
    const adm = parsePrincipalDnTemplate('cn=adm-{principal} (admin),ou=admins,dc=x');
    assert.equal(adm.dnOf('bob'), 'cn=adm-bob (admin),ou=admins,dc=x');
    assert.equal(adm.principalOf('cn=ADM-bob (Admin),ou=admins,dc=x'), 'bob');
    assert.equal(adm.principalOf('cn=bob,ou=admins,dc=x'), undefined);
  });

  test('unusable templates are rejected with the reason', () => {
    assert.throws(() => parsePrincipalDnTemplate('uid={principal},cn={principal},dc=x'), { message: 'userDn "uid={principal},cn={principal},dc=x" must contain {principal} exactly once' });
    assert.throws(() => parsePrincipalDnTemplate('{principal}'), {
      message: 'userDn "{principal}" is not a valid DN template (e.g. uid={principal},ou=people,dc=example,dc=com)',
    });
    assert.throws(() => parsePrincipalDnTemplate('{principal}=x,dc=x'), { message: 'userDn "{principal}=x,dc=x": {principal} must be inside an attribute value' });
  });
});
