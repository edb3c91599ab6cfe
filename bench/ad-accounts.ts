// The AD section's accounts and groups, created in their own OU over one LDAPS connection as Administrator.
// Measured on this machine: 2,000 user adds take ≈ 16 s whether sent over one connection, over four in
// parallel, or as one LDIF through ldapmodify over Samba's ldapi socket (≈ 8 ms each: Samba syncs every
// write to disk), so the simplest is used. The template's user1…user1600 are not used: they are members of
// big-group, and there are not 2,000 of them.
import { Client } from 'ldapts';
import type { SambaDc } from '../test/fixtures/samba.ts';
import type { DirectoryLogin } from './ldap-witness.ts';
import { counter } from './progress.ts';

/** groupType of a global security group (ADS_GROUP_TYPE_GLOBAL_GROUP | ADS_GROUP_TYPE_SECURITY_ENABLED). */
const GLOBAL_SECURITY_GROUP = String(-2147483646);

export interface AdAccounts {
  /** sAMAccountName and DN of each user, in order. */
  readonly users: readonly { readonly sam: string; readonly dn: string }[];
  /** DN of each group, by the name asked for. */
  readonly groups: ReadonlyMap<string, string>;
}

/** Administrator over LDAPS, verifying the DC's certificate against its CA. */
export const adAdminLogin = (dc: SambaDc, ca: Buffer): DirectoryLogin => ({
  url: dc.ldapsUrl,
  dn: dc.adminDn,
  password: dc.adminPassword,
  tls: { ca, servername: dc.serverName },
});

/**
 * Creates OU=jitd-bench with `userCount` users (sAMAccountName jb00001…; no password, so disabled: jitd only
 * looks them up and puts them in groups) and one global security group per name.
 */
export async function createAdAccounts(dc: SambaDc, login: DirectoryLogin, userCount: number, groupNames: readonly string[]): Promise<AdAccounts> {
  const ou = `OU=jitd-bench,${dc.baseDn}`;
  const client = new Client({ url: login.url, timeout: 30_000, connectTimeout: 5_000, ...(login.tls ? { tlsOptions: login.tls } : {}) });
  try {
    await client.bind(login.dn, login.password);
    await client.add(ou, { objectClass: 'organizationalUnit' });
    const groups = new Map<string, string>();
    for (const name of groupNames) {
      const dn = `CN=${name},${ou}`;
      await client.add(dn, { objectClass: 'group', sAMAccountName: name, groupType: GLOBAL_SECURITY_GROUP });
      groups.set(name, dn);
    }
    const users: { sam: string; dn: string }[] = [];
    const progress = counter('users added', userCount);
    for (let i = 1; i <= userCount; i++) {
      const sam = `jb${String(i).padStart(5, '0')}`;
      const dn = `CN=${sam},${ou}`;
      await client.add(dn, { objectClass: 'user', sAMAccountName: sam });
      users.push({ sam, dn });
      progress.tick(i);
    }
    progress.end();
    return { users, groups };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
