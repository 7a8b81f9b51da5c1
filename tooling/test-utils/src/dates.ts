// Trading dates for tests that may run across midnight KST: an order belongs to the Seoul date it
// was sent on. Plain arithmetic on purpose (KST is UTC+9 all year): the tests' own yardstick,
// independent of the contract's `seoulDate` that the code under test uses.
const KST_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** The Seoul date (`YYYYMMDD`) of an ISO time such as an order's `createdAt`. */
export function seoulDateOf(iso: unknown): string {
  const ms = Date.parse(String(iso));
  if (Number.isNaN(ms)) throw new Error(`not an ISO time: ${JSON.stringify(iso)}`);
  return new Date(ms + KST_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * For a flow that must stay within one trading date (place, then modify or cancel: KIS day
 * orders end with their date, and the sandbox expires them at midnight KST): when fewer than
 * `marginMs` remain before midnight in Seoul, waits until just after it. Returns the
 * milliseconds waited (0 almost always).
 */
export async function withinOneTradingDate(marginMs = 60_000): Promise<number> {
  const untilMidnight = DAY_MS - ((Date.now() + KST_MS) % DAY_MS);
  if (untilMidnight > marginMs) return 0;
  await new Promise((resolve) => setTimeout(resolve, untilMidnight + 1_000));
  return untilMidnight + 1_000;
}
