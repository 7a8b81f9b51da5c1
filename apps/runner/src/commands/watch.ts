// qts watch: follows today's orders (KIS notices via the route's watch policy: reconnect,
// polling fallback) until Ctrl-C. Never places anything.
import type { WatchLine } from '../engine.js';
import { EXIT, type ExitCode } from '../failure.js';
import { krw } from '../output.js';
import type { Options } from '../program.js';
import type { Runtime } from '../runtime.js';
import { seoulTime, seoulToday, withEngine } from './shared.js';
import { stopSignal } from './stop-signal.js';

export async function watchCommand(
  runtime: Runtime,
  _args: readonly string[],
  _options: Options,
): Promise<ExitCode> {
  const date = seoulToday();
  const stop = stopSignal();
  const events: WatchLine[] = [];
  // Signal listeners do not keep Node running, and the virtual adapter delivers notices
  // in-process without a socket: hold the process open until Ctrl-C.
  const keepAlive = setInterval(() => {}, 3_600_000);
  try {
    return await withEngine(runtime, 'Connecting…', async (engine) => {
      const out = runtime.out;
      out.note(`Watching the orders of ${date} (${runtime.config.mode}). Ctrl-C to stop.`);
      if (runtime.config.kis !== undefined && runtime.config.kis.htsId === undefined) {
        out.note(
          'QTS_KIS_HTS_ID is not set: KIS sends execution notices only to an HTS id, so this watch polls the order inquiry instead. Set QTS_KIS_HTS_ID for live notices.',
        );
      }
      if (!out.json) {
        for (const order of engine.journalOrders(date)) {
          out.line(
            `${seoulTime(order.createdAt).slice(11, 19)}  ${order.orderId}  ${order.status}  ${order.side} ${order.symbol} x ${order.quantity} ${order.price === null ? 'market' : `@ ${krw(order.price)}`}, filled ${order.filledQuantity}`,
          );
        }
      }
      const orders = await engine.watch(
        date,
        (line) => {
          events.push(line);
          runtime.log.info({ line }, 'watch event');
          if (!out.json) {
            out.line(
              `${line.at.slice(11, 19)}  ${line.orderId ?? '-'}  ${line.kind}  ${line.text}`,
            );
          }
        },
        stop.signal,
      );
      if (out.json) out.jsonObject({ orders, events });
      else out.note(`Stopped. ${events.length} event(s).`);
      return EXIT.ok;
    });
  } finally {
    clearInterval(keepAlive);
    stop.dispose();
  }
}
