// An AbortSignal that fires on SIGINT (Ctrl-C), SIGTERM (`kill`) or SIGHUP (the terminal
// closed), with its listeners removed after. Long-running commands (`sandbox`, `watch`) stop on
// it, close what they opened and exit 0, so `qts sandbox ... & ... kill $!` leaves nothing
// running.

/** The signals that stop a long-running command. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(new Error(`stopped by ${signal}`));
  };
  // `on`, not `once`: the listener must still be there while the other listeners of the signal
  // run. signal-exit (loaded by proper-lockfile once a token file is locked) re-raises the
  // signal, killing the process, when it finds itself the only listener; with `once` it did, so
  // Ctrl-C on `qts watch` in paper or real mode killed it instead of letting it close and exit 0.
  for (const name of STOP_SIGNALS) process.on(name, stop);
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
