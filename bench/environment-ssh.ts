// The ssh section's system under test: jitd as an OpenSSH user CA. A throwaway CA key and one ed25519 user
// key per client, made once with ssh-keygen in a temp dir (the test harness's generateSshKey), and a real
// `jitd serve` child process with an `ssh` connector and one auto-approved role (principals [bench]). No
// sshd: what is measured ends when the certificate is on the client's disk. Everything is registered for
// clean-up.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCaKeyFile, type SshCaKey } from '../src/connectors/ssh/ca-key.ts';
import { parsePublicKeyLine, type SshPublicKey } from '../src/connectors/ssh/public-key.ts';
import { generateSshKey, type SshKeyPair } from '../test/fixtures/sshd.ts';
import { ApiClient } from './api-client.ts';
import { onCleanup } from './cleanup.ts';
import { sshBenchConnector, startJitdServer, type JitdServer } from './jitd-server.ts';
import type { BenchOptions } from './options.ts';
import { phase } from './progress.ts';
import { seconds } from './section-environment.ts';

export const SSH_ROLE = 'ssh-bench';
export const SSH_PRINCIPALS: readonly string[] = ['bench'];

/** One requester: a jitd principal with its token and its own key; certificates go to `<key>-cert.pub`. */
export interface SshClient {
  readonly uid: string;
  readonly token: string;
  readonly key: SshKeyPair;
  readonly publicKey: SshPublicKey;
  readonly certificateFile: string;
}

export interface SshBenchEnvironment {
  readonly server: JitdServer;
  readonly api: ApiClient;
  /** No directory server in this section. */
  readonly directoryPid: undefined;
  /** The temp dir with the keys, the reference certificates and the SQLite commit probe. */
  readonly dir: string;
  /** The CA as ssh-keygen wrote it, and as jitd loads it (for the in-process floor). */
  readonly caKeyPair: SshKeyPair;
  readonly ca: SshCaKey;
  /** At least one; the first is the sequential phases' requester. */
  readonly clients: readonly SshClient[];
  /** A key no client uses, for the `ssh-keygen -s` reference (which writes `<key>-cert.pub`). */
  readonly referenceKey: SshKeyPair;
  readonly setupSeconds: Readonly<Record<string, number>>;
}

export async function startSshEnvironment(options: BenchOptions): Promise<SshBenchEnvironment> {
  let t = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'jitd-bench-ssh-'));
  onCleanup('ssh keys temp dir', () => rm(dir, { recursive: true, force: true }));
  const count = Math.max(1, options.sshClients);
  phase(`making a CA key and ${count + 1} ed25519 user keys with ssh-keygen`);
  const caKeyPair = await generateSshKey(dir, 'bench-ca');
  const ca = await loadCaKeyFile(caKeyPair.privateKeyFile);
  const uids = Array.from({ length: count }, (_, i) => `s${String(i + 1).padStart(5, '0')}`);
  const keys: SshKeyPair[] = [];
  for (const uid of uids) keys.push(await generateSshKey(dir, uid));
  const referenceKey = await generateSshKey(dir, 'reference');
  const keysSeconds = seconds(t);

  t = Date.now();
  phase(`starting jitd serve (${count + 1} token identities, 1 role, connector ssh)`);
  const server = await startJitdServer({
    connector: sshBenchConnector(await readFile(caKeyPair.privateKeyFile, 'utf8'), join(dir, 'publish')),
    principals: uids,
    roles: [{ name: SSH_ROLE, target: { principals: [...SSH_PRINCIPALS] } }],
    batchSize: 5000,
    nodeFlags: options.jitdNodeFlags,
    ...(options.jitdOutput === undefined ? {} : { outputFile: options.jitdOutput }),
  });
  onCleanup('jitd serve', () => server.stop());
  const jitdSeconds = seconds(t);
  const api = new ApiClient(server.url, count + 4);
  onCleanup('API client', () => api.close());
  return {
    server,
    api,
    directoryPid: undefined,
    dir,
    caKeyPair,
    ca,
    clients: uids.map((uid, i) => {
      const key = keys[i]!;
      return { uid, token: server.tokens.get(uid)!, key, publicKey: parsePublicKeyLine(key.publicKey), certificateFile: `${key.privateKeyFile}-cert.pub` };
    }),
    referenceKey,
    setupSeconds: { keys: keysSeconds, jitd: jitdSeconds },
  };
}
