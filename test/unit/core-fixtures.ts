// Values the core tests share.
import { ConnectorName, RoleName } from '../../src/core/ids.ts';
import type { Role } from '../../src/core/role.ts';

/** An auto-approved role `db-admin` for alice: default 1 h, at most 4 h, no reason needed. */
export function dbAdminRole(overrides: Partial<Role> = {}): Role {
  return {
    name: RoleName('db-admin'),
    connector: ConnectorName('corp-ldap'),
    target: { group: 'cn=db-admins,ou=groups,dc=example,dc=org' },
    eligible: ['user:alice'],
    approval: { mode: 'auto' },
    defaultDurationMs: 3_600_000,
    maxDurationMs: 14_400_000,
    requireReason: false,
    enforce: false,
    breakGlass: false,
    maxExtendedDurationMs: 14_400_000,
    ...overrides,
  };
}
