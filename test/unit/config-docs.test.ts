// docs/configuration.md and examples/jitd.yaml must say what the schema does: every field documented,
// nothing documented that does not exist, the same defaults, and examples that load.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { CONNECTOR_KINDS } from '../../src/config/connector-kinds.ts';
import * as file from '../../src/config/file-schema.ts';
import { loadConfig } from '../../src/config/load.ts';
import { manualApprovalSchema, roleSchema } from '../../src/config/role-schema.ts';
import { listFields } from '../../src/config/schema-walk.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = await readFile(path.join(root, 'docs/configuration.md'), 'utf8');

/** Each `<!-- schema: ID -->` marker in the docs, and the schema its table describes. */
const DOCUMENTED: Readonly<Record<string, z.ZodType>> = {
  top: file.fileSchema,
  server: file.serverSchema,
  store: file.storeSchema,
  identities: file.identitiesSchema,
  token: file.tokenSchema,
  authorization: file.authorizationSchema,
  scheduler: file.schedulerSchema,
  reconciler: file.reconcilerSchema,
  notifications: file.notificationsSchema,
  webhook: file.webhookSchema,
  log: file.logSchema,
  role: roleSchema,
  approval: manualApprovalSchema,
  ...Object.fromEntries(Object.entries(CONNECTOR_KINDS).map(([type, kind]) => [`connector:${type}`, kind.configSchema])),
  ...Object.fromEntries(Object.entries(CONNECTOR_KINDS).map(([type, kind]) => [`target:${type}`, kind.targetSchema])),
};

/** Optional fields whose default is computed from other fields (the docs say how; tested below). */
const COMPUTED_DEFAULTS = new Set(['role defaultDuration', 'role maxExtendedDuration']);

interface Row {
  readonly name: string;
  readonly defaultCell: string;
}

function tableAfter(marker: string): Row[] {
  const start = docs.indexOf(`<!-- schema: ${marker} -->`);
  assert.notEqual(start, -1, `docs/configuration.md has no "<!-- schema: ${marker} -->" table`);
  const lines = docs.slice(start).split('\n').slice(1);
  const table = lines.slice(0, lines.findIndex((line) => !line.startsWith('|')));
  return table.slice(2).map((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    return { name: (cells[1] ?? '').replaceAll('`', ''), defaultCell: cells[3] ?? '' };
  });
}

/** How a schema default is written in the Default column. */
function documentedDefault(value: unknown): string | undefined {
  if (value === null) return '—';
  if (Array.isArray(value)) return `\`${JSON.stringify(value)}\``;
  if (typeof value === 'object') return undefined; // a section's defaults are its fields'
  return `\`${String(value)}\``;
}

function exampleBlock(): string {
  const heading = docs.indexOf('## Complete example');
  const start = docs.indexOf('```yaml\n', heading) + '```yaml\n'.length;
  return docs.slice(start, docs.indexOf('```', start));
}

describe('docs/configuration.md', () => {
  for (const [marker, schema] of Object.entries(DOCUMENTED)) {
    test(`the ${marker} table lists exactly the schema's fields with their defaults`, () => {
      const fields = listFields(schema).filter((field) => marker !== 'top' || !field.name.includes('.'));
      const rows = tableAfter(marker);
      assert.deepEqual(rows.map((row) => row.name).sort(), fields.map((field) => field.name).sort());
      for (const field of fields) {
        const row = rows.find((candidate) => candidate.name === field.name);
        if (COMPUTED_DEFAULTS.has(`${marker} ${field.name}`)) continue;
        const expected = field.required ? 'required' : 'default' in field ? documentedDefault(field.default) : '—';
        if (expected !== undefined) assert.equal(row?.defaultCell, expected, `default of ${marker} ${field.name}`);
      }
    });
  }

  test("the role's defaultDuration default is documented as computed", () => {
    assert.equal(tableAfter('role').find((row) => row.name === 'defaultDuration')?.defaultCell, '`1h`, or `maxDuration` when shorter');
  });

  test('the complete example is examples/jitd.yaml without its comments', async () => {
    const example = await readFile(path.join(root, 'examples/jitd.yaml'), 'utf8');
    const withoutComments = example
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .map((line) => line.replace(/ # .*$/, ''))
      .join('\n');
    assert.equal(exampleBlock().replace(/\n+/g, '\n').replace(/^\s*#.*\n/gm, ''), withoutComments.replace(/\n+/g, '\n'));
  });
});

describe('examples/jitd.yaml', () => {
  test('loads without issues when its environment variable is set', async () => {
    const { config, issues } = await loadConfig(path.join(root, 'examples/jitd.yaml'), { env: { JITD_LDAP_PASSWORD: 'example' } });
    assert.deepEqual(issues, []);
    assert.deepEqual(
      config?.roles.map((role) => role.name),
      ['domain-admins', 'db-owner'],
    );
  });

  test('reports the missing environment variable when it is not set', async () => {
    const { issues } = await loadConfig(path.join(root, 'examples/jitd.yaml'), { env: {} });
    assert.deepEqual(
      issues.map((issue) => `${issue.path}: ${issue.message}`),
      ['connectors.corp-ldap.bindPassword.env: environment variable JITD_LDAP_PASSWORD is not set'],
    );
  });

  test('the example in the docs loads as well', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'jitd-docs-'));
    try {
      await writeFile(path.join(dir, 'jitd.yaml'), exampleBlock());
      const { issues } = await loadConfig(path.join(dir, 'jitd.yaml'), { env: { JITD_LDAP_PASSWORD: 'example' } });
      assert.deepEqual(issues, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
