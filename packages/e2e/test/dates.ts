// `qts orders` over several trading dates: tests that run across midnight KST list orders by
// the Seoul date they were sent on (`seoulDateOf` of @qts/test-utils), not by "today".
import { type ProcessResult, parseJsonStdout } from './processes.js';

type Json = Record<string, unknown>;

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
