// Two processes started together share ONE token issuance through the locked file cache.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import {
  CANARY_SECRET,
  CANARY_TOKEN,
  kstAfter,
  startHttpServer,
  type TestServer,
} from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/issue-token.ts', import.meta.url));
let server: TestServer | undefined;
afterAll(async () => server?.close());

function run(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('two processes started together issue one token', async () => {
  let issued = 0;
  server = await startHttpServer((req, res) => {
    if (req.url !== '/oauth2/tokenP') {
      res.statusCode = 404;
      res.end();
      return;
    }
    issued += 1;
    const n = issued;
    // Answer slowly so that the second process arrives while the first is issuing.
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
      res.end(
        JSON.stringify({
          access_token: `${CANARY_TOKEN}-${n}`,
          token_type: 'Bearer',
          expires_in: 86400,
          access_token_token_expired: kstAfter(Date.now(), 24),
        }),
      );
    }, 300);
  });
  const home = await mkdtemp(join(tmpdir(), 'qts-two-process-'));
  const env = {
    QTS_HOME: home,
    TEST_BASE_URL: server.url,
    TEST_APP_KEY: 'PSabcdefghijklmnopqrstuvwxyz01234567',
    TEST_APP_SECRET: CANARY_SECRET,
    START_AT: String(Date.now() + 1_500),
  };
  const [a, b] = await Promise.all([run(env), run(env)]);
  expect(a.stderr).toBe('');
  expect(b.stderr).toBe('');
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  expect(issued).toBe(1);
  expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
  const files = await readdir(join(home, 'tokens'));
  const tokenFiles = files.filter((file) => file.endsWith('.json'));
  expect(tokenFiles).toHaveLength(1);
  expect(files.filter((file) => file.endsWith('.lock'))).toEqual([]);
  const info = await stat(join(home, 'tokens', tokenFiles[0] as string));
  expect(info.mode & 0o777).toBe(0o600);
}, 30_000);
