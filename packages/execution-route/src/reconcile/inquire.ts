import { type BrokerOrder, BrokerOrderSchema, OutcomeUnknownError } from '@qts/order-contract';
import * as v from 'valibot';
import type { RouteContext } from '../context.js';

/** One validated inquiry of a trading date, with our clock's time when it was asked. */
export interface Inquiry {
  readonly rows: BrokerOrder[];
  readonly inquiredAt: number;
}

/**
 * Asks the broker for every order of a trading date. An answer that does not validate is not
 * evidence of anything: it throws and nothing is decided from it.
 */
export async function inquire(
  ctx: RouteContext,
  tradingDate: string,
  signal: AbortSignal | undefined,
): Promise<Inquiry> {
  const inquiredAt = ctx.clock();
  const answer: unknown = await ctx.adapter.getOrders(
    { tradingDate },
    signal === undefined ? {} : { signal },
  );
  const parsed = v.safeParse(v.array(BrokerOrderSchema), answer);
  if (!parsed.success) {
    throw new OutcomeUnknownError(
      `The broker's inquiry of ${tradingDate} did not validate (${parsed.issues.map((i) => i.message).join('; ')}); the journal was left as it was.`,
      {
        code: 'INVALID_BROKER_RESPONSE',
        hint: 'Try `qts orders` again later; nothing was changed.',
      },
    );
  }
  return { rows: parsed.output, inquiredAt };
}
