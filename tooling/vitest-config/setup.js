// Every test file gets its own temporary QTS_HOME; the user's ~/.qts is never touched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const home = mkdtempSync(join(tmpdir(), 'qts-test-home-'));
process.env.QTS_HOME = home;
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});
