/** The README's reference tables are generated from custom-elements.json; they must not go stale. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { promisify } from 'node:util';

it('has element tables matching custom-elements.json', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['scripts/readme-tables.mjs', '--check']);
  assert.match(stdout, /up to date/);
});
