// One certificate request as a client does it (what `jitd ssh` is to do): POST /v1/requests with the public
// key, then the certificate from `lease.grant.certificate` written to `<key>-cert.pub`, beside the key, where
// ssh looks for it. No fsync: ssh reads the file from the page cache.
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { ApiClient } from '../api-client.ts';
import { SSH_ROLE, type SshClient } from '../environment-ssh.ts';

export interface IssuedToClient {
  readonly leaseId: string;
  /** The certificate line as written to the file. */
  readonly line: string;
  /** POST /v1/requests sent → response parsed (the file write not included). */
  readonly apiMs: number;
}

export async function requestCertificate(api: ApiClient, client: SshClient): Promise<IssuedToClient> {
  const t0 = performance.now();
  const lease = await api.requestRole(client.token, SSH_ROLE, '1h', { publicKey: client.key.publicKey });
  const line = lease.grant?.['certificate'];
  const apiMs = performance.now() - t0;
  if (line === undefined) throw new Error(`lease ${lease.id} came back without grant.certificate`);
  await writeFile(client.certificateFile, `${line}\n`);
  return { leaseId: lease.id, line, apiMs };
}
