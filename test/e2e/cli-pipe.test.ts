// `jitd --help | head -1`: when the reader closes the pipe early, jitd stops quietly with status 0 instead of
// crashing with an unhandled EPIPE.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('jitd --help into a pipe whose reader is gone exits 0 without an EPIPE trace', async () => {
  // `true` exits without reading while node is still starting, so jitd always writes into a closed pipe.
  // bash's PIPESTATUS carries jitd's own exit status out of the pipeline.
  const child = spawn('bash', ['-c', `"${process.execPath}" "${CLI}" --help | true; exit \${PIPESTATUS[0]}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/);
});
