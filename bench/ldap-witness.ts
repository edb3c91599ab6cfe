// Independent LDAP clients, for slapd and for an AD domain controller alike (both over ldapts): the witness
// reads group membership with its own connection (never through jitd), and the raw client does by hand what
// jitd's connector does (add a member, read it back, remove it) as the account jitd binds as, to give the
// floor jitd's grant latency is compared with. The phases see them only through the two interfaces below.
import type { ConnectionOptions } from 'node:tls';
import { Attribute, Change, Client } from 'ldapts';
import type { Slapd } from '../test/fixtures/slapd.ts';

/** Answers "who is in this group now?" without going through jitd. */
export interface MembershipReader {
  /** An LDAP compare of one member value: the question "is this DN a member now?". */
  isMember(groupDn: string, memberDn: string): Promise<boolean>;
  /** Members of the group, not counting a placeholder member the directory needs. */
  memberCount(groupDn: string): Promise<number>;
}

/** The directory operations a grant and a release come down to, done directly: the floor. */
export interface RawMembershipWriter {
  addMember(groupDn: string, memberDn: string): Promise<void>;
  removeMember(groupDn: string, memberDn: string): Promise<void>;
}

/** Where and as whom to bind; `tls` for ldaps:// (CA, servername). */
export interface DirectoryLogin {
  readonly url: string;
  readonly dn: string;
  readonly password: string;
  readonly tls?: ConnectionOptions;
}

async function bound(login: DirectoryLogin): Promise<Client> {
  const client = new Client({ url: login.url, timeout: 10_000, connectTimeout: 5_000, ...(login.tls ? { tlsOptions: login.tls } : {}) });
  await client.bind(login.dn, login.password);
  return client;
}

export class LdapWitness implements MembershipReader {
  private readonly client: Client;
  private readonly placeholderDn: string | undefined;

  private constructor(client: Client, placeholderDn: string | undefined) {
    this.client = client;
    this.placeholderDn = placeholderDn?.toLowerCase();
  }

  /** Binds as the slapd's rootdn. */
  static open(slapd: Slapd): Promise<LdapWitness> {
    return LdapWitness.connect({ url: slapd.url, dn: slapd.adminDn, password: slapd.adminPassword }, slapd.placeholderDn);
  }

  /** `placeholderDn`: a member every group keeps (slapd's groupOfNames needs one; AD groups do not). */
  static async connect(login: DirectoryLogin, placeholderDn?: string): Promise<LdapWitness> {
    return new LdapWitness(await bound(login), placeholderDn);
  }

  isMember(groupDn: string, memberDn: string): Promise<boolean> {
    return this.client.compare(groupDn, 'member', memberDn);
  }

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

/** jitd's own account on its own connection, for the raw add/remove that jitd's overhead is measured against. */
export class RawTargetClient implements RawMembershipWriter {
  private readonly client: Client;

  private constructor(client: Client) {
    this.client = client;
  }

  /** Binds as the slapd's service account (the one jitd's ldap connector uses). */
  static open(slapd: Slapd): Promise<RawTargetClient> {
    return RawTargetClient.connect({ url: slapd.url, dn: slapd.serviceDn, password: slapd.servicePassword });
  }

  static async connect(login: DirectoryLogin): Promise<RawTargetClient> {
    return new RawTargetClient(await bound(login));
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
