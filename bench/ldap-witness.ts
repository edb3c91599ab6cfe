// Independent LDAP clients: the witness reads group membership as the rootdn with its own connection (never
// through jitd), and the raw client does by hand what jitd's connector does (add a member, read it back,
// remove it) as the same service account, to give the floor jitd's grant latency is compared with.
import { Attribute, Change, Client } from 'ldapts';
import type { Slapd } from '../test/fixtures/slapd.ts';

async function bound(url: string, dn: string, password: string): Promise<Client> {
  const client = new Client({ url, timeout: 10_000, connectTimeout: 5_000 });
  await client.bind(dn, password);
  return client;
}

export class LdapWitness {
  private readonly client: Client;
  private readonly placeholderDn: string;

  private constructor(client: Client, placeholderDn: string) {
    this.client = client;
    this.placeholderDn = placeholderDn.toLowerCase();
  }

  static async open(slapd: Slapd): Promise<LdapWitness> {
    return new LdapWitness(await bound(slapd.url, slapd.adminDn, slapd.adminPassword), slapd.placeholderDn);
  }

  /** An LDAP compare of one member value: the question "is this DN a member now?". */
  isMember(groupDn: string, memberDn: string): Promise<boolean> {
    return this.client.compare(groupDn, 'member', memberDn);
  }

  /** Members of the group other than the placeholder. */
  async memberCount(groupDn: string): Promise<number> {
    const { searchEntries } = await this.client.search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['member'] });
    const value = searchEntries[0]?.['member'];
    const members = value === undefined ? [] : Array.isArray(value) ? value : [value];
    return members.filter((m) => String(m).toLowerCase() !== this.placeholderDn).length;
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}

const memberChange = (operation: 'add' | 'delete', dn: string) => new Change({ operation, modification: new Attribute({ type: 'member', values: [dn] }) });

/** The service account's own connection, for the raw add/remove that jitd's overhead is measured against. */
export class RawTargetClient {
  private readonly client: Client;

  private constructor(client: Client) {
    this.client = client;
  }

  static async open(slapd: Slapd): Promise<RawTargetClient> {
    return new RawTargetClient(await bound(slapd.url, slapd.serviceDn, slapd.servicePassword));
  }

  addMember(groupDn: string, memberDn: string): Promise<void> {
    return this.client.modify(groupDn, memberChange('add', memberDn));
  }

  removeMember(groupDn: string, memberDn: string): Promise<void> {
    return this.client.modify(groupDn, memberChange('delete', memberDn));
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}
