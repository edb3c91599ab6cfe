// `npm run demo`: a throwaway real OpenLDAP directory with demo people and groups, and jitd serving it on the
// embedded SQLite store. Everything lives under .jitd-demo/ and is removed again on Ctrl-C.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/load.ts';
import { formatIssue } from '../src/config/issue.ts';
import { startJitd } from '../src/serve/start-jitd.ts';
import { startOidcProvider } from '../test/fixtures/oidc-provider.ts';
import { ensurePortalBuilt } from './build-portal.ts';
import { freePort, ldapConnectorEntry, startSlapd } from '../test/fixtures/slapd.ts';

const { values: flags } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    dir: { type: 'string', default: '.jitd-demo' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(`npm run demo [-- --port N] [--dir DIR]

Starts a throwaway OpenLDAP slapd and a throwaway OpenID Connect provider (for the web portal's sign-in) on
free loopback ports (installing Debian's slapd first when missing and running as root), builds the web
portal, writes a demo jitd.yaml with fresh tokens into DIR (default .jitd-demo), and runs jitd on
http://127.0.0.1:PORT (default 8080, or a free port when 8080 is taken). Ctrl-C stops all three and removes DIR.`);
  process.exit(0);
}

const PEOPLE = { alice: ['ops'], bob: ['ops', 'jitd-admins'], carol: [], dave: ['security'] } as const;
const dir = join(process.cwd(), flags.dir);

async function portToUse(wanted: number): Promise<number> {
  const { createServer } = await import('node:net');
  return await new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => freePort().then(resolve));
    // Port 0 means any: pick it now, since the sign-in redirect URI must name it.
    if (wanted === 0) return void freePort().then(resolve);
    server.listen(wanted, '127.0.0.1', () => server.close(() => resolve(wanted)));
  });
}

console.log('jitd demo: starting a throwaway OpenLDAP directory …');
const slapd = await startSlapd({ users: Object.keys(PEOPLE) });
const domainAdmins = await slapd.addGroup('domain-admins', [slapd.placeholderDn]);
const dbOwners = await slapd.addGroup('prod-db-owners', [slapd.placeholderDn]);
// carol holds this group permanently: the standing access the reconciler exists to find.
const serverAdmins = await slapd.addGroup('web-01-admins', [slapd.placeholderDn, slapd.userDn('carol')]);

console.log(`jitd demo: web portal ${await ensurePortalBuilt()}`);

await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
const passwordFile = join(dir, 'ldap-password');
await writeFile(passwordFile, `${slapd.servicePassword}\n`, { mode: 0o600 });
const tokens = Object.fromEntries(Object.keys(PEOPLE).map((p) => [p, `jitd_${p}_${randomBytes(12).toString('hex')}`])) as Record<keyof typeof PEOPLE, string>;
const port = await portToUse(Number(flags.port));
const publicUrl = `http://127.0.0.1:${port}`;
// The portal's sign-in: a real OIDC provider whose people are the demo's, with their names as `sub` so that a
// browser session and a token are the same principal.
console.log('jitd demo: starting a throwaway OpenID Connect provider …');
const idp = await startOidcProvider({
  users: Object.entries(PEOPLE).map(([username, groups]) => ({ username, sub: username, groups: [...groups] })),
  redirectUris: [`${publicUrl}/auth/callback`],
});
await writeFile(join(dir, 'oidc-client-secret'), `${idp.clients.web.secret}\n`, { mode: 0o600 });
const config = {
  version: 1,
  server: { listen: `127.0.0.1:${port}`, publicUrl },
  dataDir: './data',
  identities: {
    tokens: Object.entries(PEOPLE).map(([principal, groups]) => ({
      principal,
      groups: [...groups],
      tokenSha256: createHash('sha256').update(tokens[principal as keyof typeof PEOPLE]).digest('hex'),
    })),
    oidc: { issuer: idp.issuer, clientId: idp.clients.web.id, clientSecret: { file: './oidc-client-secret' }, cliClientId: idp.clients.cli.id, allowInsecureHttp: true },
  },
  authorization: { admins: ['group:jitd-admins'], auditors: ['group:security'] },
  reconciler: { enabled: true, interval: '30s' },
  connectors: {
    'demo-ldap': ldapConnectorEntry(slapd, './ldap-password'),
  },
  roles: {
    'domain-admins': {
      description: 'Domain administrators',
      connector: 'demo-ldap',
      group: domainAdmins,
      maxDuration: '4h',
      defaultDuration: '1h',
      eligible: ['group:ops'],
      approval: 'auto',
      requireReason: true,
    },
    'prod-db-owner': {
      description: 'Owner of the production database',
      connector: 'demo-ldap',
      group: dbOwners,
      maxDuration: '30m',
      defaultDuration: '30m',
      eligible: ['user:bob'],
      approval: 'auto',
      requireReason: true,
      ticketPattern: 'CHG-\\d+',
    },
    'web-01-admin': {
      description: 'Admin on server web-01',
      connector: 'demo-ldap',
      group: serverAdmins,
      maxDuration: '4h',
      defaultDuration: '4h',
      eligible: ['group:ops'],
      approval: 'auto',
      requireReason: true,
    },
  },
};
const configPath = join(dir, 'jitd.yaml');
await writeFile(configPath, `# Written by \`npm run demo\`; removed when the demo stops.\n${stringify(config)}`);
const loaded = await loadConfig(configPath);
if (!loaded.config) {
  console.error(loaded.issues.map((i) => formatIssue(i)).join('\n'));
  process.exit(1);
}
// The server's JSON log goes to a file, so that this terminal keeps showing the instructions.
const { pino, destination } = await import('pino');
const logFile = join(dir, 'jitd.log');
const jitd = await startJitd(loaded.config, { log: pino({ level: 'info' }, destination({ dest: logFile, sync: true })) });

const relConfig = join(flags.dir, 'jitd.yaml');
console.log(`
jitd demo is running at ${jitd.url}
  portal     open ${jitd.url} in a browser; sign in as alice / alice-password (or bob, carol, dave: <name>-password)
  sign-in    ${idp.issuer}  (throwaway OpenID Connect provider)
  directory  ${slapd.url}  (throwaway slapd, base ${slapd.suffix})
  config     ${relConfig}   store ${join(flags.dir, 'data', 'jitd.sqlite')}
  log        ${join(flags.dir, 'jitd.log')} (JSON lines; try: tail -f ${join(flags.dir, 'jitd.log')})

People (token → put it in JITD_TOKEN):
  alice  group ops                    ${tokens.alice}
  bob    groups ops, jitd-admins      ${tokens.bob}
  carol  no groups (holds web-01-admins permanently: standing access)  ${tokens.carol}
  dave   group security (auditor)     ${tokens.dave}

Try, in another terminal in this folder:
  export JITD_URL=${jitd.url} JITD_TOKEN=${tokens.alice}
  ./bin/jitd.js roles
  ./bin/jitd.js request domain-admins --for 2m --reason "INC-4711 restore replication"
  ldapsearch -x -H ${slapd.url} -D ${slapd.adminDn} -w ${slapd.adminPassword} -b "${domainAdmins}" member
  ./bin/jitd.js status
  JITD_TOKEN=${tokens.bob} ./bin/jitd.js status        # admin view, with carol's standing access
  JITD_TOKEN=${tokens.dave} ./bin/jitd.js audit verify

Press Ctrl-C to stop jitd and the directory.
ready`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\njitd demo: ${signal}, stopping jitd, the sign-in provider and slapd …`);
  await jitd.close();
  await idp.stop();
  await slapd.destroy();
  await rm(dir, { recursive: true, force: true });
  console.log('jitd demo: stopped; nothing left running.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
