// qts watch: follows today's orders (KIS notices via the route's watch policy: reconnect,
// polling fallback) until Ctrl-C, SIGTERM or SIGHUP. Never places anything. Stops at once on
// what waiting cannot fix (no HTS id, credentials refused), saying what to fix.
import type { WatchLine } from '../engine.js';
import { CliFailure, configFailure, EXIT, type ExitCode, toFailure } from '../failure.js';
import type { CliOrder } from '../model.js';
import { krw } from '../output.js';
import type { Options } from '../program.js';
import type { Runtime } from '../runtime.js';
import { seoulTime, seoulToday, statusWord, withEngine } from './shared.js';
import { stopSignal } from './stop-signal.js';

/** Width of the status column: the longest common word (`partially filled`). */
const STATUS_WIDTH = 16;

/** One aligned line: time, order id, status word, details (no trailing spaces). */
export function watchRow(
  time: string,
  orderId: string,
  status: string,
  details: string,
  idWidth: number,
): string {
  return `${time}  ${orderId.padEnd(idWidth)}  ${statusWord(status).padEnd(STATUS_WIDTH)}  ${details}`.trimEnd();
}

function orderDetails(order: CliOrder): string {
  const price = order.price === null ? 'market' : `@ ${krw(order.price)}`;
  return `${order.side} ${order.symbol} x ${order.quantity} ${price}, filled ${order.filledQuantity}${order.averagePrice === null ? '' : ` @ avg ${krw(order.averagePrice)}`}`;
}

export async function watchCommand(
  runtime: Runtime,
  _args: readonly string[],
  _options: Options,
): Promise<ExitCode> {
  if (runtime.config.kis !== undefined && runtime.config.kis.htsId === undefined) {
    throw configFailure(
      `qts watch needs QTS_KIS_HTS_ID in ${runtime.config.mode} mode: KIS sends execution notices only to an HTS id. Nothing was placed.`,
      'Set QTS_KIS_HTS_ID to the HTS id of the account (the id you log in to KIS with), then run `qts watch` again; `qts orders` shows fills without it.',
    );
  }
  const date = seoulToday();
  const stop = stopSignal();
  const events: WatchLine[] = [];
  // Signal listeners do not keep Node running, and the virtual adapter delivers notices
  // in-process without a socket: hold the process open until a signal.
  const keepAlive = setInterval(() => {}, 3_600_000);
  try {
    return await withEngine(runtime, 'Connecting…', async (engine) => {
      const out = runtime.out;
      out.note(`Watching the orders of ${date} (${runtime.config.mode}). Ctrl-C to stop.`);
      const journal = engine.journalOrders(date);
      const idWidth = Math.max(19, ...journal.map((o) => o.orderId.length));
      if (!out.json) {
        for (const order of journal) {
          out.line(
            watchRow(
              seoulTime(order.createdAt).slice(11, 19),
              order.orderId,
              order.status,
              orderDetails(order),
              idWidth,
            ),
          );
        }
      }
      let orders: CliOrder[];
      try {
        orders = await engine.watch(
          date,
          (line) => {
            events.push(line);
            runtime.log.info({ line }, 'watch event');
            if (!out.json) {
              out.line(
                watchRow(
                  seoulTime(line.at).slice(11, 19),
                  line.orderId ?? '-',
                  line.status,
                  line.text,
                  idWidth,
                ),
              );
            }
          },
          stop.signal,
        );
      } catch (error) {
        const failure = toFailure(error);
        throw new CliFailure(
          failure.exitCode,
          {
            ...failure.json,
            message: `qts watch stopped: ${failure.json.message}`,
            hint:
              failure.json.code === 'CONFIG' || failure.json.code === 'NOT_SUPPORTED'
                ? `Waiting cannot fix this: fix the configuration named in the message, then run \`qts watch\` again. Nothing was placed.`
                : `Waiting cannot fix this: check QTS_KIS_APP_KEY, QTS_KIS_APP_SECRET, QTS_KIS_ACCOUNT and the mode (${runtime.config.mode}), then run \`qts watch\` again. Nothing was placed.`,
          },
          { cause: error },
        );
      }
      if (out.json) out.jsonObject({ orders, events });
      else out.note(`Stopped. ${events.length} event(s).`);
      return EXIT.ok;
    });
  } finally {
    clearInterval(keepAlive);
    stop.dispose();
  }
}
