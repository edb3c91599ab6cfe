// AD's binary identifiers and how a role names its group: the text forms operators write must map to
// exactly the bytes a domain controller stores (vectors from MS-DTYP and Microsoft's documentation).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { guidFromBytes, guidToBytes, sidFromBytes, sidToBytes } from '../../src/connectors/ad/binary-ids.ts';
import { describeGroupRef } from '../../src/connectors/ad/group-ref.ts';

describe('SIDs', () => {
  test('BUILTIN\\Administrators (S-1-5-32-544) has the bytes MS-DTYP gives', () => {
    const bytes = sidToBytes('S-1-5-32-544');
    assert.equal(bytes?.toString('hex'), '01020000000000052000000020020000');
    assert.equal(sidFromBytes(Buffer.from('01020000000000052000000020020000', 'hex')), 'S-1-5-32-544');
  });

  test('a domain SID with a RID round-trips through bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 0, maxLength: 15 }), fc.integer({ min: 0, max: 2 ** 40 }), (subs, authority) => {
        const text = ['S', '1', String(authority), ...subs.map(String)].join('-');
        const bytes = sidToBytes(text);
        assert.ok(bytes);
        assert.equal(sidFromBytes(bytes), text);
      }),
    );
  });

  test('text that is not a SID is refused, as are bytes that are not one', () => {
    for (const text of ['S-1', 'S-2-5-32', 'S-1-5-4294967296', 'S-1-5-x', 's-1-5-32-544 ']) assert.equal(sidToBytes(text), undefined, text);
    assert.throws(() => sidFromBytes(Buffer.from('0102000000000005', 'hex')), /not a SID/);
  });
});

describe('GUIDs', () => {
  test('the first three fields are stored little-endian (Microsoft\'s example {6F9619FF-8B86-D011-B42D-00C04FC964FF})', () => {
    const bytes = guidToBytes('6f9619ff-8b86-d011-b42d-00c04fc964ff');
    assert.equal(bytes?.toString('hex'), 'ff19966f868b11d0b42d00c04fc964ff');
    assert.equal(guidFromBytes(Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex')), '6f9619ff-8b86-d011-b42d-00c04fc964ff');
  });

  test('any 16 bytes round-trip through the text form', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        const text = guidFromBytes(Buffer.from(raw));
        assert.match(text, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.deepEqual(guidToBytes(text), Buffer.from(raw));
      }),
    );
  });

});

describe('group references', () => {
  test('a DN, a SID and a name are told apart', () => {
    assert.deepEqual(describeGroupRef('CN=Domain Admins,CN=Users,DC=jit,DC=test').ref, { kind: 'dn', text: 'CN=Domain Admins,CN=Users,DC=jit,DC=test' });
    assert.deepEqual(describeGroupRef('S-1-5-21-1-2-3-512').ref, { kind: 'sid', text: 'S-1-5-21-1-2-3-512' });
    assert.deepEqual(describeGroupRef('Domain Admins').ref, { kind: 'name', text: 'Domain Admins' });
  });

  test('what cannot name a group says why', () => {
    assert.equal(describeGroupRef('S-1-5-x').problem, '"S-1-5-x" is not a SID (expected S-1-5-21-…)');
    assert.equal(describeGroupRef(' Domain Admins').problem, 'must not be empty or start or end with a space');
    assert.equal(describeGroupRef('CN=a,,DC=b').problem?.startsWith('"CN=a,,DC=b" is not a valid DN'), true);
    assert.equal(describeGroupRef('ops*').problem, '"ops*" is neither a DN nor a SID, and a group name cannot contain any of "/\\[]:;|=,+*?<>');
  });
});
