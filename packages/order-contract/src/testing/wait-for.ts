/** Options of `waitFor`. */
export interface WaitForOptions {
  /** What is awaited, for the timeout message. */
  readonly description: string;
  /** Give up after this long. @defaultValue 5000 */
  readonly timeoutMs?: number;
  /** Pause between probes. @defaultValue 10 */
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than undefined, or fails at the deadline.
 * Use it instead of bare sleeps: it returns as soon as the condition holds.
 *
 * @param probe - Returns the awaited value, or undefined while it is not there yet.
 * @param options - What is awaited and how long to wait.
 * @returns The first value the probe returned.
 * @throws `Error` when the deadline passes first.
 */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.description}.`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
