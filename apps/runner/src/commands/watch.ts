// qts watch: follows today's orders (KIS notices via the route's watch policy: reconnect,
// polling fallback) until Ctrl-C, SIGTERM or SIGHUP. Never places anything. Stops at once on
// what waiting cannot fix (no HTS id, credentials refused), saying what to fix.

import type { WatchStatus } from '@qts/execution-route';
import type { OrderEvent } from '@qts/order-contract';
import { seoulDate } from '@qts/order-contract';
import { CliFailure, configFailure, EXIT, type ExitCode, toFailure } from '../failure.js';
import type { CliOrder } from '../model.js';
import type { Options } from '../options.js';
import { krw } from '../output.js';
import type { Runtime } from '../runtime.js';
import { kstDateTime, statusWord, withEngine } from './shared.js';
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

/** One result `qts watch` shows (and prints in `--json` as `events`). */
export interface WatchLine {
  readonly at: string;
  readonly orderId: string | null;
  /** The route's event type (`order-filled`, ...), for scripts. */
  readonly kind: string;
  /**
   * What the event made of the order, in the vocabulary of `qts orders` (`filled`,
   * `partially_filled`, `canceled`, ...) plus `modified` and `connection_lost`.
   */
  readonly status: string;
  /** The details, without the status word. */
  readonly text: string;
  readonly order: CliOrder | null;
}

/** The line for one event of an order (order null: a notice no journal order matches). */
export function eventLine(event: OrderEvent, order: CliOrder | null): WatchLine {
  const num = (value: number | null) => (typeof value === 'number' ? krw(value) : String(value));
  // A type this version does not know (a newer route) is shown by its name.
  const kind: string = event.type;
  let text: string;
  // The status word comes from the same vocabulary as `qts orders` (see STATUS_WORDS).
  let status: string;
  switch (event.type) {
    case 'order-accepted':
      status = 'accepted';
      text = `${event.side} ${event.symbol} x ${num(event.quantity)}${event.limitPrice === null ? ' market' : ` @ ${num(event.limitPrice)}`} (broker no. ${event.brokerOrderId})`;
      break;
    case 'order-filled':
      status =
        order !== null && event.filledQuantity < order.quantity ? 'partially_filled' : 'filled';
      text = `${num(event.filledQuantity)}${order === null ? '' : `/${num(order.quantity)}`} @ avg ${num(event.averagePrice)}${event.lastQuantity === null ? '' : ` (last ${num(event.lastQuantity)} @ ${num(event.lastPrice)})`}`;
      break;
    case 'order-canceled':
      status = 'canceled';
      text = `${num(event.canceledQuantity)} canceled`;
      break;
    case 'order-modified':
      status = 'modified';
      text = `remaining ${num(event.quantity)}${event.limitPrice === null ? '' : ` @ ${num(event.limitPrice)}`} (new broker no. ${event.newBrokerOrderId})`;
      break;
    case 'order-rejected':
      status = 'rejected';
      text = `[${event.brokerCode ?? '-'}] ${event.brokerMessage ?? ''}`.trimEnd();
      break;
    case 'connection-lost':
      status = 'connection_lost';
      text = `${event.reason}; catching up by inquiry`;
      break;
    default:
      status = kind;
      text = '';
  }
  return { at: event.at, orderId: order?.orderId ?? null, kind, status, text, order };
}

const STATE_WORDS: Readonly<Record<string, string>> = {
  connecting: 'connecting to execution notices',
  listening: 'listening for execution notices',
  reconnecting: 'connection lost; reconnecting',
  polling: 'notices unavailable; polling the order inquiry',
};

/** The note for a state of the notice connection (stderr). */
export function statusNote(status: WatchStatus): string {
  const attempt = status.attempt > 1 ? ` #${status.attempt}` : '';
  const reason = status.reason === undefined ? '' : ` ${status.reason}`;
  const next =
    status.delayMs === undefined ? '' : ` (next in ${Math.round(status.delayMs / 100) / 10} s)`;
  return `[${STATE_WORDS[status.state] ?? status.state}${attempt}]${reason}${next}`;
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
  const date = seoulDate();
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
              kstDateTime(order.createdAt).slice(11, 19),
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
          {
            onStatus: (status) => out.note(statusNote(status)),
            onEvent: (event, order) => {
              const line = eventLine(event, order);
              events.push(line);
              runtime.log.info({ line }, 'watch event');
              if (!out.json) {
                out.line(
                  watchRow(
                    kstDateTime(line.at).slice(11, 19),
                    line.orderId ?? '-',
                    line.status,
                    line.text,
                    idWidth,
                  ),
                );
              }
            },
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
