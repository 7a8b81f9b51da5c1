// qts orders [--date YYYYMMDD]: the journal reconciled with the broker's inquiry, then listed.

import { seoulDate } from '@qts/order-contract';
import * as v from 'valibot';
import { EXIT, type ExitCode, toFailure, usageFailure } from '../failure.js';
import { pasteable } from '../invocation.js';
import { type Options, readOptions } from '../options.js';
import { krw } from '../output.js';
import type { Runtime } from '../runtime.js';
import { divisionLabel } from './division-label.js';
import { kstDateTime, spin, statusWord, withEngine } from './shared.js';

function checkDate(text: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text.trim());
  const valid =
    match !== null &&
    (() => {
      const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
      return date.toISOString().slice(0, 10).replaceAll('-', '') === text.trim();
    })();
  if (!valid) {
    throw usageFailure(
      `--date must be a trading date YYYYMMDD (got ${JSON.stringify(text)}).`,
      'E.g. `qts orders --date 20260105`; without --date it shows today (Seoul).',
    );
  }
  return text.trim();
}

export async function ordersCommand(
  runtime: Runtime,
  _args: readonly string[],
  options: Options,
): Promise<ExitCode> {
  const { date: dateText } = readOptions(v.object({ date: v.optional(v.string()) }), options);
  const date = dateText === undefined ? seoulDate() : checkDate(dateText);
  return withEngine(runtime, 'Reconciling with the broker…', async (engine) => {
    const result = await spin(runtime, 'Reconciling with the broker…', engine.orders(date));
    // Not reconciled: the journal is still listed, and the exit code is the failure's (1 when
    // the broker could not be reached, 3 when it refused, e.g. the credentials).
    const failure = result.error === null ? null : toFailure(result.error);
    runtime.log.info(
      {
        date,
        orders: result.orders.length,
        reconciled: result.reconciled,
        otherDates: result.otherDates,
        notReconciled: failure?.json ?? null,
      },
      'orders listed',
    );
    const out = runtime.out;
    if (out.json) {
      out.jsonObject({
        orders: result.orders,
        reconciled: result.reconciled,
        ...(failure === null
          ? {}
          : { error: { ...failure.json, hint: pasteable(failure.json.hint) } }),
      });
      return failure?.exitCode ?? EXIT.ok;
    }
    const where = `${date} (${runtime.config.mode})`;
    const notReconciled =
      failure === null ? '' : ' - NOT reconciled with the broker: statuses are as last journaled';
    if (result.orders.length === 0) {
      out.line(`No orders on ${where} in the journal${notReconciled}.`);
    } else {
      out.line(`Orders on ${where}${notReconciled}:`);
      // The order type column appears only when an order is more than a plain KRX limit / market.
      const labels = result.orders.map((o) => divisionLabel(o));
      const typed = labels.some((label) => label !== '');
      out.table(
        [
          'order id',
          'created',
          'side',
          'symbol',
          'qty',
          'price',
          ...(typed ? ['order type'] : []),
          'status',
          'filled',
          'avg price',
          'broker no.',
        ],
        result.orders.map((o, index) => [
          o.orderId,
          kstDateTime(o.createdAt).slice(11),
          o.side,
          o.symbol,
          o.quantity,
          o.type === 'market' ? 'market' : o.price === null ? 'exchange' : krw(o.price),
          ...(typed ? [labels[index] ?? ''] : []),
          statusWord(o.status),
          o.filledQuantity,
          o.averagePrice === null ? null : krw(o.averagePrice),
          o.brokerOrderId,
        ]),
        [
          'left',
          'left',
          'left',
          'left',
          'right',
          'right',
          ...(typed ? (['left'] as const) : []),
          'left',
          'right',
          'right',
          'left',
        ],
      );
    }
    if (failure !== null) {
      out.error(failure.json);
      return failure.exitCode;
    }
    if (result.reconciled.length === 0) {
      out.line('Reconciled: nothing changed.');
    } else {
      out.line('Reconciled:');
      for (const change of result.reconciled) {
        out.line(`  ${change.orderId}: ${change.from} -> ${change.to} (${change.reason})`);
      }
    }
    if (result.otherDates.length > 0) {
      const dates = [...new Set(result.otherDates.map((c) => c.tradingDate ?? '?'))].sort();
      const count = new Set(result.otherDates.map((c) => c.orderId)).size;
      out.note(
        `Also reconciled ${count} order(s) of ${dates.join(', ')}: see \`qts orders --date ${dates[0]}\`.`,
      );
    }
    return EXIT.ok;
  });
}
