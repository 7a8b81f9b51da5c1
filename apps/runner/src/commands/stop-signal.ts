// An AbortSignal that fires on SIGINT (Ctrl-C), SIGTERM (`kill`) or SIGHUP (the terminal
// closed), with its listeners removed after. Long-running commands (`sandbox`, `watch`) stop on
// it, close what they opened and exit 0, so `qts sandbox ... & ... kill $!` leaves nothing
// running.
import { constants as osConstants } from 'node:os';

/** The signals that stop a long-running command. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  // `on`, not `once`, until dispose(): signal-exit (loaded by the token cache's lock and atomic
  // write) re-raises a signal when it finds itself the only listener, and a `once` listener is
  // gone by the time signal-exit looks, so the process died by the signal when signal-exit had
  // been loaded after this listener. A second signal while closing ends the run at once.
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (osConstants.signals[signal] ?? 0));
    controller.abort(new Error(`stopped by ${signal}`));
  };
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
