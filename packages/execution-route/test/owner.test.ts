// Owner tokens: pid + process start time, so a reused pid is not mistaken for the owner.
import { type ChildProcess, spawn } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newOwnerToken, ownerAlive, processStartOf } from '../src/owner.js';
import { tempDir } from './helpers/setup.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function live(command = process.execPath): Promise<{ pid: number; start: string }> {
  const child = spawn(command, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 100; i += 1) {
    const start = processStartOf(child.pid!);
    if (start !== null) return { pid: child.pid!, start: start.replaceAll(':', '_') };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no start time');
}

describe('owner identity', () => {
  it("this process's tokens are alive; another token with our pid is a previous process's", () => {
    const token = newOwnerToken();
    expect(token.split(':')[0]).toBe(String(process.pid));
    expect(ownerAlive(token)).toBe(true);
    const [pid, start] = token.split(':');
    expect(ownerAlive(`${pid}:${start}:000000000000`)).toBe(false);
  });

  it('a live process with the same start time is the owner; with another start time it is not', async () => {
    const { pid, start } = await live();
    expect(ownerAlive(`${pid}:${start}:abc`)).toBe(true);
    expect(ownerAlive(`${pid}:l00000000.1:abc`)).toBe(false);
    // An older token without a start time: judged by the pid alone.
    expect(ownerAlive(`${pid}:abc`)).toBe(true);
    expect(ownerAlive(`${pid}:-:abc`)).toBe(true);
  });

  it('a pid no process has is gone', async () => {
    const { pid, start } = await live();
    const child = children.pop()!;
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(ownerAlive(`${pid}:${start}:abc`)).toBe(false);
    expect(ownerAlive('not-a-pid:x:y')).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')(
    'reads the start time of a process whose name has spaces and parentheses',
    async () => {
      const odd = join(tempDir(), 'x) (y z');
      symlinkSync(process.execPath, odd);
      const a = await live(odd);
      const b = await live();
      expect(a.start).toMatch(/^l[0-9a-f-]*\.\d+$/);
      expect(processStartOf(a.pid)?.replaceAll(':', '_')).toBe(a.start);
      expect(ownerAlive(`${a.pid}:${a.start}:t`)).toBe(true);
      expect(ownerAlive(`${a.pid}:${b.start === a.start ? 'l0.0' : b.start}:t`)).toBe(false);
    },
  );
});
