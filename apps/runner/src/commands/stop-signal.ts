// An AbortSignal that fires on SIGINT (Ctrl-C), SIGTERM (`kill`) or SIGHUP (the terminal
// closed), with its listeners removed after. Long-running commands (`sandbox`, `watch`) stop on
// it, close what they opened and exit 0, so `qts sandbox ... & ... kill $!` leaves nothing
// running.

/** The signals that stop a long-running command. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => controller.abort(new Error(`stopped by ${signal}`));
  for (const name of STOP_SIGNALS) process.once(name, stop);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of STOP_SIGNALS) process.off(name, stop);
    },
  };
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
