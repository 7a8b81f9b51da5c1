// The order command's division and venue flags (--ioc, --fok, --best, --priority, --conditional,
// --session, --venue), validated with valibot, and what they ask for: the order type, whether a
// price is needed, and the contract's division fields (docs/order-types.md).
import {
  ORDER_DIVISION_RULES,
  type OrderDivision,
  orderDivisionOf,
  type Venue,
} from '@qts/order-contract';
import * as v from 'valibot';
import type { CliOrderDivision } from '../engine.js';
import { usageFailure } from '../failure.js';
import type { Options } from '../options.js';

const flag = v.optional(v.literal(true));

/** The division and venue flags as commander parses them. */
const DivisionFlagsSchema = v.object({
  market: flag,
  ioc: flag,
  fok: flag,
  best: flag,
  priority: flag,
  conditional: flag,
  session: v.optional(
    v.picklist(['pre', 'post', 'single'], '--session must be pre, post or single'),
  ),
  venue: v.optional(
    v.pipe(
      v.string(),
      v.toUpperCase(),
      v.picklist(['KRX', 'NXT', 'SOR'], '--venue must be KRX, NXT or SOR'),
    ),
  ),
});

/** What the flags ask for. */
export interface OrderDivisionChoice {
  readonly type: 'limit' | 'market';
  readonly division: OrderDivision;
  readonly venue: Venue;
  /** The request's division fields (empty for a plain order on KRX). */
  readonly fields: CliOrderDivision;
  /** True when the flags name anything beyond a plain limit / market order on KRX. */
  readonly named: boolean;
}

const HINT = 'Nothing was sent. See `qts order --help` for the order types and their flags.';

/**
 * Reads the division and venue flags: at most one of --ioc / --fok, at most one of --best /
 * --priority / --conditional, --session alone (no other flag), and a combination an exchange
 * offers (e.g. --market --best is none; --ioc --best is IOC최유리).
 *
 * @param options The command's parsed options.
 * @returns The order type, division, venue and request fields.
 * @throws A usage failure (exit 2, nothing sent) naming the conflict.
 */
export function readDivisionFlags(options: Options): OrderDivisionChoice {
  const parsed = v.safeParse(DivisionFlagsSchema, {
    market: options.market,
    ioc: options.ioc,
    fok: options.fok,
    best: options.best,
    priority: options.priority,
    conditional: options.conditional,
    session: options.session,
    venue: options.venue,
  });
  if (!parsed.success) {
    throw usageFailure(`${parsed.issues[0]?.message ?? 'Invalid order flags'}.`, HINT);
  }
  const flags = parsed.output;
  const execution = (['ioc', 'fok'] as const).filter((name) => flags[name] === true);
  const pricing = (['best', 'priority', 'conditional'] as const).filter(
    (name) => flags[name] === true,
  );
  const conflict = (text: string): never => {
    throw usageFailure(text, HINT);
  };
  if (execution.length > 1) conflict('Give --ioc or --fok, not both.');
  if (pricing.length > 1) {
    conflict(
      `Give one of --best, --priority, --conditional (got ${pricing.map((p) => `--${p}`).join(' ')}).`,
    );
  }
  const session = flags.session;
  if (session !== undefined && (execution.length > 0 || pricing.length > 0 || flags.market)) {
    conflict(
      '--session takes no other order type: an off-hours order is a plain limit order (--session single --price <KRW>) or one at the close (--session pre / --session post, no price).',
    );
  }
  if (flags.market === true && pricing.length > 0) {
    conflict(
      `--market and --${pricing[0]} do not go together: --${pricing[0]} is a limit order type (${pricing[0] === 'conditional' ? 'give --price' : 'the exchange sets the price'}).`,
    );
  }
  const type = flags.market === true ? 'market' : 'limit';
  const priceCondition = pricing[0];
  const executionCondition = execution[0];
  const fields: CliOrderDivision = {
    ...(priceCondition === undefined ? {} : { priceCondition }),
    ...(executionCondition === undefined ? {} : { executionCondition }),
    ...(session === undefined ? {} : { session }),
    ...(flags.venue === undefined ? {} : { venue: flags.venue }),
  };
  const division = orderDivisionOf({ type, ...fields });
  if (division === null) {
    conflict(
      `No exchange offers --${executionCondition ?? ''} with --${priceCondition ?? ''}: IOC and FOK go with a limit price (--price), --market or --best.`,
    );
  }
  const venue: Venue = flags.venue ?? 'KRX';
  const rule = ORDER_DIVISION_RULES[division as OrderDivision];
  if (!rule.venues.includes(venue)) {
    conflict(
      `${venue} does not take ${division} orders (${rule.koreanName}); ${rule.venues.join(', ')} ${rule.venues.length === 1 ? 'does' : 'do'}.`,
    );
  }
  return {
    type,
    division: division as OrderDivision,
    venue,
    fields,
    named: Object.keys(fields).length > 0,
  };
}

/** The flags that name a division, for messages (`--ioc --best`), or '' for a plain order. */
export function divisionFlagsText(choice: OrderDivisionChoice): string {
  const { fields } = choice;
  return [
    fields.executionCondition === undefined ? '' : `--${fields.executionCondition}`,
    fields.priceCondition === undefined ? '' : `--${fields.priceCondition}`,
    fields.session === undefined ? '' : `--session ${fields.session}`,
    fields.venue === undefined ? '' : `--venue ${fields.venue}`,
  ]
    .filter((part) => part !== '')
    .join(' ');
}
