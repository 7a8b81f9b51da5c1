// How a qts process ends: in child processes, since exitWith decides the exit code of the process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const settle = fileURLToPath(new URL('./settle.ts', import.meta.url));

function end(body: string, env: Record<string, string> = {}) {
  return spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { exitWith } from ${JSON.stringify(settle)};\n${body}`,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
  );
}

describe('exitWith', () => {
  it('ends with the exit code the command resolves to', () => {
    expect(end('exitWith(Promise.resolve(3));').status).toBe(3);
    expect(end('exitWith(Promise.resolve(0));').status).toBe(0);
  });

  it('a command that never settles ends with 1, not 0', () => {
    const result = end('exitWith(new Promise(() => {}));');
    expect(result.status).toBe(1);
  });

  it('a command that rejects ends with 1 and its stack on stderr, whatever --unhandled-rejections says', () => {
    for (const mode of ['throw', 'warn', 'none']) {
      const result = end("exitWith(Promise.reject(new Error('boom in the command')));", {
        NODE_OPTIONS: `--unhandled-rejections=${mode}`,
      });
      expect(result.status, mode).toBe(1);
      expect(result.stderr).toContain('qts: unexpected error');
      expect(result.stderr).toContain('boom in the command');
    }
  });

  it('a closed-pipe exit before the command settles keeps its own code', () => {
    expect(
      end('exitWith(new Promise(() => {})); setTimeout(() => process.exit(0), 10);').status,
    ).toBe(0);
  });
});
