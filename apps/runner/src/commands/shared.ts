// Helpers shared by the commands: argument parsing (one clear line on bad input), opening and
// closing the engine, printing orders.
import { seoulDate, seoulTime } from '@qts/order-contract';
import type { Engine, OrderOutcome } from '../engine.js';
import { openEngine } from '../engine.js';
import {
  beforeSendFailure,
  CliFailure,
  EXIT,
  type ExitCode,
  inDoubtFailure,
  toFailure,
  usageFailure,
} from '../failure.js';
import type { CliOrder } from '../model.js';
import { krw } from '../output.js';
import type { Runtime } from '../runtime.js';
import { divisionLabel } from './division-label.js';

/** An example in backticks (so a `qts ...` example is rewritten to the way qts was run). */
function quoted(example: string): string {
  return `\`${example}\``;
}

/** Parses a whole number argument (quantity); exit 2 with one clear line otherwise. */
export function parseQuantity(text: string, what: string, example: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+(\.\d+)?$/.test(trimmed.replaceAll(',', ''))) {
    throw usageFailure(
      `${what} must be a whole number of shares of at least 1 (got ${JSON.stringify(text)}).`,
      `Use e.g. ${quoted(example)}; nothing was sent.`,
      'INVALID_ORDER',
    );
  }
  const value = Number(trimmed.replaceAll(',', ''));
  if (!Number.isInteger(value) || value < 1) {
    throw usageFailure(
      `${what} must be a whole number of shares of at least 1 (got ${trimmed}).`,
      `Use e.g. ${quoted(example)}; nothing was sent.`,
      'INVALID_ORDER',
    );
  }
  return value;
}

/** Parses a KRW price argument; exit 2 with one clear line when it is not a number. */
export function parsePrice(text: string, flag: string): number {
  const cleaned = text.trim().replaceAll(',', '').replaceAll('_', '');
  if (!/^[+-]?\d+(\.\d+)?$/.test(cleaned)) {
    throw usageFailure(
      `${flag} must be a number of KRW such as 70000 (got ${JSON.stringify(text)}).`,
      'Give the price in whole KRW on the KRX tick; nothing was sent.',
      'INVALID_ORDER',
    );
  }
  return Number(cleaned);
}

/** Exit 2: the id is not in this mode's journal (cancel, modify). */
export function unknownOrderId(orderId: string, mode: string): CliFailure {
  return usageFailure(
    `No order ${JSON.stringify(orderId)} in the ${mode} journal: nothing was sent.`,
    "Check the id with `qts orders` (a unique prefix of it, or today's broker order number, works too; each mode and account has its own journal).",
    'UNKNOWN_ORDER_ID',
  );
}

/** Shows a spinner on stderr (terminal only) while `work` runs. */
export async function spin<T>(runtime: Runtime, label: string, work: Promise<T>): Promise<T> {
  // `work` runs already: wait for it first, so its failure is handled at once.
  const spinner = runtime.out.spinner(label);
  try {
    return await work;
  } finally {
    (await spinner).stop();
  }
}

const SENDING_COMMANDS: Readonly<Record<string, 'order' | 'cancel' | 'modify'>> = {
  order: 'order',
  cancel: 'cancel',
  modify: 'modify',
};
/** QTS errors (code + outcome) and auth-phase2's `KIS_*` errors are classified already. */
function classified(error: unknown): boolean {
  if (error instanceof CliFailure) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && ('outcome' in error || code.startsWith('KIS_'));
}

/**
 * Opens the engine (spinner on a terminal while the modules load and the files open), runs
 * `task`, always closes it. Tasks put their own spinner around network calls (`spin`), so a
 * real-mode confirmation prompt is never drawn over.
 */
export async function withEngine<T>(
  runtime: Runtime,
  label: string,
  task: (engine: Engine) => Promise<T>,
): Promise<T> {
  let engine: Engine | undefined;
  try {
    try {
      engine = await spin(runtime, label, openEngine(runtime));
    } catch (error) {
      // Opening (journal, exchange, recovery) comes before any send: say so.
      const what = SENDING_COMMANDS[runtime.command];
      if (what === undefined || classified(error)) {
        throw error;
      }
      throw beforeSendFailure(what, error);
    }
    return await task(engine);
  } finally {
    if (engine !== undefined) {
      try {
        await engine.close();
      } catch (error) {
        runtime.log.warn({ error: String(error) }, 'engine close failed');
      }
    }
  }
}

const STATUS_WORDS: Record<string, string> = {
  accepted: 'accepted',
  partially_filled: 'partially filled',
  filled: 'filled',
  canceled: 'canceled',
  rejected: 'rejected by the broker',
  failed: 'failed (not sent)',
  unknown: 'OUTCOME UNKNOWN',
  not_found: 'not found at the broker',
  pending: 'pending (not sent)',
  submitted: 'submitted',
  pending_cancel: 'cancel pending',
  pending_modify: 'modify pending',
  cancel_unknown: 'cancel outcome unknown',
  modify_unknown: 'modify outcome unknown',
  // watch events that are not an order status
  modified: 'modified',
  connection_lost: 'connection lost',
};

/** An order status (or a watch event's status) in words, the one vocabulary of the CLI. */
export function statusWord(status: string): string {
  return STATUS_WORDS[status] ?? status.replaceAll('_', ' ');
}

function colourStatus(runtime: Runtime, status: string): string {
  const c = runtime.out.stdoutColors;
  const word = statusWord(status);
  if (status === 'filled' || status === 'accepted' || status === 'partially_filled')
    return c.green(word);
  if (status === 'rejected' || status === 'failed' || status === 'not_found') return c.red(word);
  if (status.includes('unknown')) return c.yellow(c.bold(word));
  return word;
}

/** Prints one order for people (stdout). */
export function printOrderHuman(runtime: Runtime, order: CliOrder, title: string): void {
  const out = runtime.out;
  out.line(`${out.stdoutColors.bold(title)} ${order.orderId} (${order.mode})`);
  out.table(
    [],
    [
      ['status', colourStatus(runtime, order.status)],
      ['order', `${order.side} ${order.symbol} x ${order.quantity}`],
      [
        'price',
        order.type === 'market'
          ? 'market'
          : order.price === null
            ? 'set by the exchange'
            : `${krw(order.price)} KRW (limit)`,
      ],
      ...(divisionLabel(order) === '' ? [] : [['order type', divisionLabel(order)]]),
      [
        'filled',
        order.filledQuantity === 0
          ? '0'
          : `${order.filledQuantity} @ ${krw(order.averagePrice)} KRW`,
      ],
      ['broker order', order.brokerOrderId],
      ['client id', order.clientOrderId],
      ['created', kstDateTime(order.createdAt)],
    ],
  );
}

/**
 * Prints the outcome of a place / cancel / modify and returns its exit code: the order object
 * whatever the exit code (0, 3, 4) with `error` when it did not succeed; on exit 2 and 1 only
 * `{"error": ...}`.
 */
export function reportOutcome(runtime: Runtime, outcome: OrderOutcome, title: string): ExitCode {
  const inDoubt =
    outcome.error === null || outcome.error === undefined ? inDoubtFailure(outcome.order) : null;
  if ((outcome.error === null || outcome.error === undefined) && inDoubt === null) {
    if (runtime.out.json) runtime.out.jsonObject(outcome.order);
    else {
      printOrderHuman(runtime, outcome.order, title);
      const open =
        outcome.order.status === 'accepted' || outcome.order.status === 'partially_filled';
      if (open) {
        // KIS answers an order with its number only; a fill arrives later, even at once.
        runtime.out.note(
          runtime.config.mode === 'virtual'
            ? 'It rests in the virtual exchange until the price reaches it: see it with `qts orders`, or follow it with `qts watch`.'
            : 'The broker accepted it; fills are reported separately and may already have happened: see them with `qts orders`, or follow them live with `qts watch`.',
        );
      }
    }
    return EXIT.ok;
  }
  // Exit 0 only for an order the broker answered: one still in flight (a replay of a client
  // order id whose first send has no answer yet) is an unknown outcome.
  const failure = inDoubt ?? toFailure(outcome.error);
  if (failure.exitCode !== EXIT.rejected && failure.exitCode !== EXIT.unknown) throw failure;
  runtime.log.warn(
    { orderId: outcome.order.orderId, error: failure.json },
    'order did not succeed',
  );
  if (runtime.out.json) {
    runtime.out.jsonObject({ ...outcome.order, error: failure.json });
  } else {
    printOrderHuman(runtime, outcome.order, title);
    runtime.out.error(failure.json);
  }
  return failure.exitCode;
}

/**
 * An ISO time shown as Seoul wall-clock time, `YYYY-MM-DD HH:MM:SS KST` (the contract's
 * `seoulDate` and `seoulTime` of the instant); an unreadable time is shown as it is.
 */
export function kstDateTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const date = seoulDate(new Date(time));
  const clock = seoulTime(new Date(time));
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)} ${clock.slice(0, 2)}:${clock.slice(2, 4)}:${clock.slice(4)} KST`;
}
