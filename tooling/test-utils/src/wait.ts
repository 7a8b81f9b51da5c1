/**
 * Waits, polling every `intervalMs` (default 25 ms), until `probe` returns something other than
 * `false` or `undefined`, and returns that; throws naming `what` after `timeoutMs` (default
 * 20 s). The timeout only bounds a broken test: nothing is asserted about how long it took.
 * (The conformance kit's own `waitFor` in `@qts/order-contract/testing` is for adapter authors.)
 */
export async function waitUntil<T>(
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  what: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== false && value !== undefined) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
