// evaluateAsk: eligibility first, then every problem with the ask in one error, then auto or manual.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ForbiddenError, InvalidInputError } from '../../src/core/errors.ts';
import { ConnectorName, PrincipalId, RoleName } from '../../src/core/ids.ts';
import { evaluateAsk, isEligible, MAX_REASON_LENGTH, MAX_TICKET_LENGTH } from '../../src/core/policy.ts';
import type { Principal } from '../../src/core/principal.ts';
import type { Role } from '../../src/core/role.ts';

/** The policy's context for asks with no earlier use of the role. */
const NO_HISTORY = { now: new Date('2026-01-05T09:00:00Z'), history: [] };

const HOUR = 3_600_000;

const role: Role = {
  name: RoleName('db-admin'),
  connector: ConnectorName('corp-ldap'),
  target: { group: 'cn=db-admins,ou=groups,dc=example,dc=org' },
  eligible: ['user:alice', 'group:ops'],
  approval: { mode: 'auto' },
  defaultDurationMs: HOUR,
  maxDurationMs: 4 * HOUR,
  requireReason: false,
  enforce: false,
  breakGlass: false,
  maxExtendedDurationMs: 4 * HOUR,
};
const strictRole: Role = { ...role, requireReason: true, ticketPattern: 'INC-\\d+' };
const manualRole: Role = { ...role, approval: { mode: 'manual', required: 2, from: ['group:security'], timeoutMs: 3_600_000 } };

const alice: Principal = { id: PrincipalId('alice'), groups: [] };
const olga: Principal = { id: PrincipalId('olga'), groups: ['ops'] };
const mallory: Principal = { id: PrincipalId('mallory'), groups: ['dev'] };

/** Asserts that `fn` throws InvalidInputError with exactly this message and these issues. */
function assertInvalid(fn: () => unknown, message: string, issues: ReadonlyArray<{ path: string; message: string }>): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    assert.equal(error.kind, 'invalid_input');
    assert.equal(error.message, message);
    assert.deepEqual(error.issues, issues);
    return true;
  });
}

describe('eligibility', () => {
  test('a principal named by user reference is eligible', () => {
    assert.equal(isEligible(alice, role), true);
    assert.deepEqual(evaluateAsk(alice, role, {}, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
  });

  test('a principal in an eligible group is eligible', () => {
    assert.equal(isEligible(olga, role), true);
    assert.deepEqual(evaluateAsk(olga, role, { durationMs: 2 * HOUR }, NO_HISTORY), { outcome: 'auto_approved', durationMs: 2 * HOUR });
  });

  test('an ineligible principal is refused with ForbiddenError naming the principal and the role', () => {
    assert.equal(isEligible(mallory, role), false);
    assert.throws(
      () => evaluateAsk(mallory, role, {}, NO_HISTORY),
      (error: unknown) => {
        assert.ok(error instanceof ForbiddenError);
        assert.equal(error.kind, 'forbidden');
        assert.equal(error.message, 'mallory is not eligible for role db-admin');
        assert.deepEqual(error.issues, []);
        return true;
      },
    );
  });

  test('ineligibility is reported before any problem with the ask, so the role limits stay hidden', () => {
    assert.throws(() => evaluateAsk(mallory, strictRole, { durationMs: 100 * HOUR, reason: ' ', ticket: 'nope' }, NO_HISTORY), {
      name: 'ForbiddenError',
      message: 'mallory is not eligible for role db-admin',
    });
  });
});

describe('duration', () => {
  test('the role default applies when the ask gives none', () => {
    assert.deepEqual(evaluateAsk(alice, { ...role, defaultDurationMs: 30 * 60_000 }, {}, NO_HISTORY), { outcome: 'auto_approved', durationMs: 30 * 60_000 });
  });

  test('exactly the maximum is allowed', () => {
    assert.deepEqual(evaluateAsk(alice, role, { durationMs: 4 * HOUR }, NO_HISTORY), { outcome: 'auto_approved', durationMs: 4 * HOUR });
  });

  test('exactly one second is allowed', () => {
    assert.deepEqual(evaluateAsk(alice, role, { durationMs: 1_000 }, NO_HISTORY), { outcome: 'auto_approved', durationMs: 1_000 });
  });

  test('over the maximum is refused with both durations formatted', () => {
    assertInvalid(() => evaluateAsk(alice, role, { durationMs: 5 * HOUR + 30 * 60_000 }, NO_HISTORY), "duration: 5h30m exceeds the role's maximum of 4h", [
      { path: 'duration', message: "5h30m exceeds the role's maximum of 4h" },
    ]);
  });

  test('a default above the maximum is refused like an asked one', () => {
    assertInvalid(() => evaluateAsk(alice, { ...role, defaultDurationMs: 2 * 86_400_000 }, {}, NO_HISTORY), "duration: 2d exceeds the role's maximum of 4h", [
      { path: 'duration', message: "2d exceeds the role's maximum of 4h" },
    ]);
  });

  for (const durationMs of [999, 0, -HOUR, 1_500.5, Number.NaN]) {
    test(`a duration of ${durationMs} ms is refused as under one second`, () => {
      assertInvalid(() => evaluateAsk(alice, role, { durationMs }, NO_HISTORY), 'duration: must be at least 1s', [{ path: 'duration', message: 'must be at least 1s' }]);
    });
  }
});

describe('reason', () => {
  test('a missing reason is refused when the role requires one', () => {
    assertInvalid(() => evaluateAsk(alice, { ...role, requireReason: true }, {}, NO_HISTORY), 'reason: role db-admin requires a reason', [
      { path: 'reason', message: 'role db-admin requires a reason' },
    ]);
  });

  test('a whitespace-only reason counts as missing', () => {
    assertInvalid(() => evaluateAsk(alice, { ...role, requireReason: true }, { reason: ' \t\n ' }, NO_HISTORY), 'reason: role db-admin requires a reason', [
      { path: 'reason', message: 'role db-admin requires a reason' },
    ]);
  });

  test('a reason is accepted when required and given', () => {
    assert.deepEqual(evaluateAsk(alice, { ...role, requireReason: true }, { reason: 'fix replication' }, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
  });

  test('no reason is fine when the role does not require one', () => {
    assert.deepEqual(evaluateAsk(alice, role, {}, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
    assert.deepEqual(evaluateAsk(alice, role, { reason: '   ' }, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
  });

  test('a reason of exactly the maximum length (after trimming) is accepted', () => {
    assert.equal(MAX_REASON_LENGTH, 1_000);
    assert.deepEqual(evaluateAsk(alice, role, { reason: `  ${'r'.repeat(MAX_REASON_LENGTH)}  ` }, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
  });

  test('a reason over the maximum length is refused', () => {
    assertInvalid(() => evaluateAsk(alice, role, { reason: 'r'.repeat(MAX_REASON_LENGTH + 1) }, NO_HISTORY), 'reason: must be at most 1000 characters', [
      { path: 'reason', message: 'must be at most 1000 characters' },
    ]);
  });
});

describe('ticket', () => {
  const ticketRole: Role = { ...role, ticketPattern: 'INC-\\d+' };

  test('a ticket matching the pattern is accepted, surrounding whitespace ignored', () => {
    assert.deepEqual(evaluateAsk(alice, ticketRole, { ticket: 'INC-1234' }, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
    assert.deepEqual(evaluateAsk(alice, ticketRole, { ticket: '  INC-7 ' }, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
  });

  test('a missing or blank ticket is refused when the role has a pattern', () => {
    for (const ticket of [undefined, '', '   ']) {
      assertInvalid(
        () => evaluateAsk(alice, ticketRole, ticket === undefined ? {} : { ticket }, NO_HISTORY),
        'ticket: role db-admin requires a ticket matching INC-\\d+',
        [{ path: 'ticket', message: 'role db-admin requires a ticket matching INC-\\d+' }],
      );
    }
  });

  test('a ticket that does not match the pattern is refused', () => {
    assertInvalid(() => evaluateAsk(alice, ticketRole, { ticket: 'CHG-12' }, NO_HISTORY), 'ticket: "CHG-12" does not match INC-\\d+', [
      { path: 'ticket', message: '"CHG-12" does not match INC-\\d+' },
    ]);
  });

  test('the pattern is anchored at both ends', () => {
    for (const ticket of ['xINC-1', 'INC-1x', 'see INC-1']) {
      assertInvalid(() => evaluateAsk(alice, ticketRole, { ticket }, NO_HISTORY), `ticket: "${ticket}" does not match INC-\\d+`, [
        { path: 'ticket', message: `"${ticket}" does not match INC-\\d+` },
      ]);
    }
  });

  test('an alternation in the pattern is anchored as a whole', () => {
    const either: Role = { ...role, ticketPattern: 'INC-\\d+|CHG-\\d+' };
    assert.equal(evaluateAsk(alice, either, { ticket: 'CHG-9' }, NO_HISTORY).outcome, 'auto_approved');
    assertInvalid(() => evaluateAsk(alice, either, { ticket: 'INC-1 and more' }, NO_HISTORY), 'ticket: "INC-1 and more" does not match INC-\\d+|CHG-\\d+', [
      { path: 'ticket', message: '"INC-1 and more" does not match INC-\\d+|CHG-\\d+' },
    ]);
  });

  test('a ticket is optional and free-form when the role has no pattern', () => {
    assert.deepEqual(evaluateAsk(alice, role, { ticket: 'anything at all' }, NO_HISTORY), { outcome: 'auto_approved', durationMs: HOUR });
  });

  test('a ticket over the maximum length is refused, with or without a pattern', () => {
    assert.equal(MAX_TICKET_LENGTH, 200);
    const ticket = `INC-${'1'.repeat(MAX_TICKET_LENGTH)}`;
    for (const r of [role, ticketRole]) {
      assertInvalid(() => evaluateAsk(alice, r, { ticket }, NO_HISTORY), 'ticket: must be at most 200 characters', [{ path: 'ticket', message: 'must be at most 200 characters' }]);
    }
  });

  test('a ticket of exactly the maximum length is accepted', () => {
    assert.equal(evaluateAsk(alice, ticketRole, { ticket: `INC-${'1'.repeat(MAX_TICKET_LENGTH - 4)}` }, NO_HISTORY).outcome, 'auto_approved');
  });
});

describe('several problems at once', () => {
  test('one error lists every problem in its message and has one issue per problem', () => {
    assertInvalid(
      () => evaluateAsk(alice, strictRole, { durationMs: 5 * HOUR, reason: '  ', ticket: 'xINC-1' }, NO_HISTORY),
      'duration: 5h exceeds the role\'s maximum of 4h; reason: role db-admin requires a reason; ticket: "xINC-1" does not match INC-\\d+',
      [
        { path: 'duration', message: "5h exceeds the role's maximum of 4h" },
        { path: 'reason', message: 'role db-admin requires a reason' },
        { path: 'ticket', message: '"xINC-1" does not match INC-\\d+' },
      ],
    );
  });

  test('an ask with too short a duration and no ticket reports both', () => {
    assertInvalid(
      () => evaluateAsk(olga, strictRole, { durationMs: 10, reason: 'ok' }, NO_HISTORY),
      'duration: must be at least 1s; ticket: role db-admin requires a ticket matching INC-\\d+',
      [
        { path: 'duration', message: 'must be at least 1s' },
        { path: 'ticket', message: 'role db-admin requires a ticket matching INC-\\d+' },
      ],
    );
  });
});

describe('outcome', () => {
  test('an auto-approval role approves a valid ask', () => {
    assert.deepEqual(evaluateAsk(alice, strictRole, { durationMs: 2 * HOUR, reason: 'deploy', ticket: 'INC-42' }, NO_HISTORY), { outcome: 'auto_approved', durationMs: 2 * HOUR });
  });

  test('a manual-approval role needs the configured number of approvals', () => {
    assert.deepEqual(evaluateAsk(alice, manualRole, { durationMs: 2 * HOUR }, NO_HISTORY), { outcome: 'needs_approval', durationMs: 2 * HOUR, approvalsRequired: 2, timeoutMs: 3_600_000 });
  });

  test('a manual-approval role still refuses an invalid ask', () => {
    assertInvalid(() => evaluateAsk(alice, manualRole, { durationMs: 5 * HOUR }, NO_HISTORY), "duration: 5h exceeds the role's maximum of 4h", [
      { path: 'duration', message: "5h exceeds the role's maximum of 4h" },
    ]);
  });
});
