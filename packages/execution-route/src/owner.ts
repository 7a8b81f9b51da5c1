// Who owns an in-flight journal record, in a form that survives pid reuse.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * When a process started, as a stable string, or null when it cannot be read.
 * - Linux: the boot id plus field 22 of `/proc/<pid>/stat` (start time in clock ticks after
 *   boot). The same pid with another start time is another process.
 * - elsewhere: `ps -o lstart= -p <pid>` (start time to the second).
 */
export function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state), so field 22 is rest[19].
    const ticks = rest[19];
    if (ticks !== undefined && /^\d+$/.test(ticks)) return `l${bootId()}.${ticks}`;
  } catch {
    // No /proc (macOS, BSD) or the process is gone: try ps below.
  }
  if (process.platform === 'win32') return null;
  try {
    // Loaded only here: on Linux no process needs child_process for this.
    const { execFileSync } = process.getBuiltinModule('node:child_process');
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2_000,
    }).trim();
    return out === '' ? null : `p${out.replace(/\s+/g, '_')}`;
  } catch {
    return null;
  }
}

let boot: string | undefined;
function bootId(): string {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
    } catch {
      boot = '';
    }
  }
  return boot;
}

/** Owner tokens of the routes created in this process. */
const LIVE_OWNERS = new Set<string>();

/**
 * A new owner token for this process: `<pid>:<start>:<random>` (start: see `processStartOf`,
 * `-` when unknown). Registered as alive for the life of the process.
 */
let ownStart: string | undefined;

export function newOwnerToken(): string {
  ownStart ??= processStartOf(process.pid) ?? '-';
  const start = ownStart;
  const token = `${process.pid}:${start.replaceAll(':', '_')}:${randomBytes(6).toString('hex')}`;
  LIVE_OWNERS.add(token);
  return token;
}

/**
 * Whether the process behind an owner token still runs. It is proven gone when:
 * - the token has our pid but is not one of this process's tokens (a previous process);
 * - no process has its pid;
 * - a process has its pid but started at another time (the pid was reused).
 * A token without a start time (older journals, or a platform where it cannot be read) is judged
 * by its pid alone: alive while any process holds that pid.
 */
export function ownerAlive(owner: string): boolean {
  if (LIVE_OWNERS.has(owner)) return true;
  const parts = owner.split(':');
  const pid = Number(parts[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const recorded = parts.length >= 3 ? parts[1] : undefined;
  if (recorded === undefined || recorded === '-') return true;
  const now = processStartOf(pid);
  // The start cannot be read now (permissions): not proven gone.
  if (now === null) return true;
  return now.replaceAll(':', '_') === recorded;
}
