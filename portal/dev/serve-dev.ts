// For working on the portal: a real slapd and a real `jitd serve` with a few kinds of role, kept running
// until Ctrl-C. Prints the URL and the people's API tokens; a browser (or playwright-core with
// `extraHTTPHeaders: { authorization: 'Bearer <token>' }`) then sees the portal as that person.
// Run: node_modules/.bin/node portal/dev/serve-dev.ts [--json FILE]
import { writeFileSync } from 'node:fs';
import { startJitdProcess } from '../../test/fixtures/jitd-process.ts';
import { startSlapd } from '../../test/fixtures/slapd.ts';

const jsonAt = process.argv.indexOf('--json');
const slapd = await startSlapd();
const opsGroup = await slapd.addGroup('prod-db-owners', [slapd.placeholderDn]);
const glassGroup = await slapd.addGroup('break-glass-admins', [slapd.placeholderDn]);
const jitd = await startJitdProcess({
  slapd,
  roles: {
    'prod-db-owner': {
      description: 'Owner of the production database (needs a second person)',
      connector: 'test-ldap',
      group: opsGroup,
      maxDuration: '2h',
      defaultDuration: '30m',
      eligible: ['group:ops'],
      approval: { required: 1, from: ['group:jitd-admins', 'group:security'], timeout: '4h' },
      requireReason: true,
      ticketPattern: '^CHG-[0-9]+$',
    },
    'break-glass': {
      description: 'Emergency access, reviewed afterwards',
      connector: 'test-ldap',
      group: glassGroup,
      maxDuration: '1h',
      defaultDuration: '1h',
      eligible: ['group:ops'],
      approval: { required: 2, from: ['group:jitd-admins', 'group:security'], timeout: '1h' },
      breakGlass: true,
      requireReason: true,
    },
  },
});
const info = { url: jitd.url, tokens: jitd.tokens, configPath: jitd.configPath, dbPath: jitd.dbPath };
console.log(JSON.stringify(info, null, 2));
if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify(info));
console.log('people: alice [ops], bob [ops, jitd-admins] admin, carol [], dave [security] auditor. Ctrl-C stops.');
const stop = async () => {
  await jitd.stop();
  await slapd.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
