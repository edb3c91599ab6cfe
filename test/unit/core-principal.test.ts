// Policy names people as `user:<id>` or `group:<name>`; these tests pin what each form matches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PrincipalId } from '../../src/core/ids.ts';
import { isSubjectRef, matchesAny, matchesSubject, type Principal } from '../../src/core/principal.ts';

const alice: Principal = { id: PrincipalId('alice'), groups: ['ops', 'dba'] };

describe('isSubjectRef', () => {
  for (const text of ['user:alice', 'group:ops', 'user:alice@example.org', 'group:cn=ops:west', 'user:a b']) {
    test(`accepts ${JSON.stringify(text)}`, () => {
      assert.equal(isSubjectRef(text), true);
    });
  }
  for (const text of ['', 'alice', 'user:', 'group:', 'user', ':alice', 'role:admin', 'User:alice', 'GROUP:ops', ' user:alice', 'users:alice', 'user:alice\n']) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(isSubjectRef(text), false);
    });
  }
});

describe('matchesSubject', () => {
  test('a user reference matches the principal with exactly that id', () => {
    assert.equal(matchesSubject(alice, 'user:alice'), true);
  });

  test('a user reference does not match another id, a different case, or a group of the same name', () => {
    assert.equal(matchesSubject(alice, 'user:bob'), false);
    assert.equal(matchesSubject(alice, 'user:Alice'), false);
    assert.equal(matchesSubject(alice, 'user:ops'), false);
  });

  test('a group reference matches a principal that is a member of that group', () => {
    assert.equal(matchesSubject(alice, 'group:ops'), true);
    assert.equal(matchesSubject(alice, 'group:dba'), true);
  });

  test('a group reference does not match a non-member, even one whose id is the group name', () => {
    assert.equal(matchesSubject(alice, 'group:admins'), false);
    assert.equal(matchesSubject(alice, 'group:alice'), false);
    assert.equal(matchesSubject({ id: PrincipalId('ops'), groups: [] }, 'group:ops'), false);
  });

  test('a group name may itself contain colons', () => {
    const member: Principal = { id: PrincipalId('carol'), groups: ['ldap:ops'] };
    assert.equal(matchesSubject(member, 'group:ldap:ops'), true);
    assert.equal(matchesSubject(member, 'group:ops'), false);
  });
});

describe('matchesAny', () => {
  test('matches when any reference matches, by user or by group', () => {
    assert.equal(matchesAny(alice, ['user:bob', 'group:dba']), true);
    assert.equal(matchesAny(alice, ['group:admins', 'user:alice']), true);
  });

  test('does not match when no reference matches', () => {
    assert.equal(matchesAny(alice, ['user:bob', 'group:admins']), false);
  });

  test('an empty list matches nobody', () => {
    assert.equal(matchesAny(alice, []), false);
  });
});
