// Trading dates for tests that run across midnight KST: an order belongs to the Seoul date it
// was sent on, so tests list orders by that date instead of asking for "today".
import { type ProcessResult, parseJsonStdout } from './processes.js';

type Json = Record<string, unknown>;

/** The Seoul date (YYYYMMDD) of an epoch-ms instant (default: now). */
export function seoulDate(ms: number = Date.now()): string {
  return new Date(ms + 9 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/** The Seoul date of an order's `createdAt`. */
export function seoulDateOf(createdAt: unknown): string {
  const ms = Date.parse(String(createdAt));
  if (Number.isNaN(ms)) throw new Error(`not an ISO time: ${JSON.stringify(createdAt)}`);
  return seoulDate(ms);
}

/**
 * `qts orders --json --date D` for each distinct date, merged: the orders and reconciliation
 * changes of every run, and the first non-zero exit code (0 when all ran clean).
 */
export async function ordersOn(
  run: (args: string[]) => Promise<ProcessResult>,
  dates: Iterable<string>,
): Promise<{ code: number | null; orders: Json[]; reconciled: Json[]; runs: ProcessResult[] }> {
  const merged = { code: 0 as number | null, orders: [] as Json[], reconciled: [] as Json[] };
  const runs: ProcessResult[] = [];
  for (const date of [...new Set(dates)].sort()) {
    const result = await run(['orders', '--json', '--date', date]);
    runs.push(result);
    if (result.code !== 0) {
      if (merged.code === 0) merged.code = result.code;
      continue;
    }
    const body = parseJsonStdout(result) as { orders: Json[]; reconciled: Json[] };
    merged.orders.push(...body.orders);
    merged.reconciled.push(...body.reconciled);
  }
  return { ...merged, runs };
}

/**
 * For a flow that must stay within one trading date (place, then cancel: KIS day orders end with
 * their date, and the sandbox expires them at midnight KST): when fewer than `marginMs` remain
 * before midnight in Seoul, waits until just after it.
 */
export async function withinOneTradingDate(marginMs = 30_000): Promise<void> {
  const untilMidnight = 86_400_000 - ((Date.now() + 9 * 3_600_000) % 86_400_000);
  if (untilMidnight > marginMs) return;
  await new Promise((resolve) => setTimeout(resolve, untilMidnight + 1_000));
}
