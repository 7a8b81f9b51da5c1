import type { OrderIssue } from '../errors/qts-error.js';

/**
 * How the exchange prices a limit order beyond a plain limit (KRX order types):
 * - `conditional` (조건부지정가): a limit order during the day that turns into a market order at
 *   the closing auction if it has not filled;
 * - `best` (최유리지정가): a limit order at the best price on the opposite side when it arrives;
 * - `priority` (최우선지정가): a limit order at the best price on its own side when it arrives.
 *
 * `best` and `priority` carry no limit price: the exchange sets it.
 */
export const PRICE_CONDITIONS = ['conditional', 'best', 'priority'] as const;
/** How the exchange prices a limit order beyond a plain limit. */
export type PriceCondition = (typeof PRICE_CONDITIONS)[number];

/**
 * What happens to the part of an order that cannot fill at once:
 * - `ioc` (immediate or cancel): fills what it can now, the rest is canceled by the exchange;
 * - `fok` (fill or kill): fills all of it now, or none of it.
 *
 * Absent: the order rests until it fills, is canceled, or the day ends.
 */
export const EXECUTION_CONDITIONS = ['ioc', 'fok'] as const;
/** What happens to the part of an order that cannot fill at once. */
export type ExecutionCondition = (typeof EXECUTION_CONDITIONS)[number];

/**
 * KRX's off-hours sessions (absent: the regular session):
 * - `pre` (장전 시간외, 08:30-08:40 KST): trades at the previous day's close, no limit price;
 * - `post` (장후 시간외, 15:40-16:00 KST): trades at today's close, no limit price;
 * - `single` (시간외 단일가, 16:00-18:00 KST): single-price auctions every 10 minutes, with a
 *   limit price within 10 % of the close (and within the day's limits).
 */
export const ORDER_SESSIONS = ['pre', 'post', 'single'] as const;
/** A KRX off-hours session. */
export type OrderSession = (typeof ORDER_SESSIONS)[number];

/**
 * Where an order goes: `KRX` (Korea Exchange), `NXT` (Nextrade, the alternative trading system
 * that opened in 2025) or `SOR` (the broker's smart order routing between the two). Absent: KRX.
 */
export const VENUES = ['KRX', 'NXT', 'SOR'] as const;
/** Where an order goes. */
export type Venue = (typeof VENUES)[number];

/**
 * Every order division (the exchange's order type) an order request can express. A request names
 * its division through `type`, `priceCondition`, `executionCondition` and `session`
 * (`orderDivisionOf` maps them); a broker adapter maps the division to its own code.
 */
export const ORDER_DIVISIONS = [
  'limit',
  'market',
  'conditional',
  'best',
  'priority',
  'pre-market-close',
  'post-market-close',
  'after-hours-single',
  'ioc-limit',
  'fok-limit',
  'ioc-market',
  'fok-market',
  'ioc-best',
  'fok-best',
] as const;
/** An order division. */
export type OrderDivision = (typeof ORDER_DIVISIONS)[number];

/** What a division needs of the request's `limitPrice`. */
export type DivisionPrice = 'required' | 'forbidden';

/** The facts of one division. */
export interface OrderDivisionRule {
  /** The division. */
  readonly division: OrderDivision;
  /** Its Korean name, as KRX and brokers call it. */
  readonly koreanName: string;
  /** The request's `type` for this division. */
  readonly type: 'limit' | 'market';
  /** `required`: a limit price on the tick; `forbidden`: the exchange sets the price. */
  readonly limitPrice: DivisionPrice;
  /** The venues that take it. */
  readonly venues: readonly Venue[];
  /** True when the order rests after it arrives (so it can be modified or canceled). */
  readonly rests: boolean;
}

const ALL: readonly Venue[] = ['KRX', 'NXT', 'SOR'];
const KRX_ONLY: readonly Venue[] = ['KRX'];

/**
 * The order divisions with their price rule and venues. Venues per division follow KIS's order
 * documentation (주식주문(현금), `ORD_DVSN` with `EXCG_ID_DVSN_CD`): NXT takes no plain market
 * order, no conditional limit and none of the KRX off-hours sessions; SOR takes no conditional
 * limit and no off-hours session. Price rules follow the exchange: market, best, priority and the
 * pre/post-market close sessions are priced by the exchange (the broker request carries 0).
 */
export const ORDER_DIVISION_RULES: Readonly<Record<OrderDivision, OrderDivisionRule>> = {
  limit: rule('limit', '지정가', 'limit', 'required', ALL, true),
  market: rule('market', '시장가', 'market', 'forbidden', ['KRX', 'SOR'], true),
  conditional: rule('conditional', '조건부지정가', 'limit', 'required', KRX_ONLY, true),
  best: rule('best', '최유리지정가', 'limit', 'forbidden', ALL, true),
  priority: rule('priority', '최우선지정가', 'limit', 'forbidden', ALL, true),
  'pre-market-close': rule('pre-market-close', '장전 시간외', 'limit', 'forbidden', KRX_ONLY, true),
  'post-market-close': rule(
    'post-market-close',
    '장후 시간외',
    'limit',
    'forbidden',
    KRX_ONLY,
    true,
  ),
  'after-hours-single': rule(
    'after-hours-single',
    '시간외 단일가',
    'limit',
    'required',
    KRX_ONLY,
    true,
  ),
  'ioc-limit': rule('ioc-limit', 'IOC지정가', 'limit', 'required', ALL, false),
  'fok-limit': rule('fok-limit', 'FOK지정가', 'limit', 'required', ALL, false),
  'ioc-market': rule('ioc-market', 'IOC시장가', 'market', 'forbidden', ALL, false),
  'fok-market': rule('fok-market', 'FOK시장가', 'market', 'forbidden', ALL, false),
  'ioc-best': rule('ioc-best', 'IOC최유리', 'limit', 'forbidden', ALL, false),
  'fok-best': rule('fok-best', 'FOK최유리', 'limit', 'forbidden', ALL, false),
};

function rule(
  division: OrderDivision,
  koreanName: string,
  type: 'limit' | 'market',
  limitPrice: DivisionPrice,
  venues: readonly Venue[],
  rests: boolean,
): OrderDivisionRule {
  return { division, koreanName, type, limitPrice, venues, rests };
}

/** The parts of a request (or an order reference) that name its division and venue. */
export interface OrderDivisionFields {
  readonly type?: unknown;
  readonly priceCondition?: unknown;
  readonly executionCondition?: unknown;
  readonly session?: unknown;
  readonly venue?: unknown;
}

/** The request fields a division is expressed by (the inverse of `orderDivisionOf`). */
export interface OrderDivisionParts {
  readonly type: 'limit' | 'market';
  readonly priceCondition?: PriceCondition;
  readonly executionCondition?: ExecutionCondition;
  readonly session?: OrderSession;
}

const PARTS: Readonly<Record<OrderDivision, OrderDivisionParts>> = {
  limit: { type: 'limit' },
  market: { type: 'market' },
  conditional: { type: 'limit', priceCondition: 'conditional' },
  best: { type: 'limit', priceCondition: 'best' },
  priority: { type: 'limit', priceCondition: 'priority' },
  'pre-market-close': { type: 'limit', session: 'pre' },
  'post-market-close': { type: 'limit', session: 'post' },
  'after-hours-single': { type: 'limit', session: 'single' },
  'ioc-limit': { type: 'limit', executionCondition: 'ioc' },
  'fok-limit': { type: 'limit', executionCondition: 'fok' },
  'ioc-market': { type: 'market', executionCondition: 'ioc' },
  'fok-market': { type: 'market', executionCondition: 'fok' },
  'ioc-best': { type: 'limit', priceCondition: 'best', executionCondition: 'ioc' },
  'fok-best': { type: 'limit', priceCondition: 'best', executionCondition: 'fok' },
};

/**
 * The request fields that express a division.
 *
 * @param division - The division.
 * @returns `type` plus the optional fields that name it.
 */
export function orderDivisionParts(division: OrderDivision): OrderDivisionParts {
  return PARTS[division];
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/**
 * The division a request (or order reference) names, or null when its fields name none (an
 * unknown value, or a combination no exchange offers, such as an IOC conditional limit).
 * `validateOrderRequest` says what is wrong in that case.
 *
 * @param fields - `type`, `priceCondition`, `executionCondition`, `session`.
 * @returns The division, or null.
 */
export function orderDivisionOf(fields: OrderDivisionFields): OrderDivision | null {
  const { type, priceCondition, executionCondition, session } = fields;
  if (type !== 'limit' && type !== 'market') return null;
  if (priceCondition !== undefined && !includes(PRICE_CONDITIONS, priceCondition)) return null;
  if (executionCondition !== undefined && !includes(EXECUTION_CONDITIONS, executionCondition)) {
    return null;
  }
  if (session !== undefined && !includes(ORDER_SESSIONS, session)) return null;
  for (const division of ORDER_DIVISIONS) {
    const parts = PARTS[division];
    if (
      parts.type === type &&
      parts.priceCondition === priceCondition &&
      parts.executionCondition === executionCondition &&
      parts.session === session
    ) {
      return division;
    }
  }
  return null;
}

/**
 * The venue a request names (`KRX` when absent), or null for an unknown value.
 *
 * @param fields - The request's `venue`.
 * @returns The venue, or null.
 */
export function venueOf(fields: Pick<OrderDivisionFields, 'venue'>): Venue | null {
  if (fields.venue === undefined) return 'KRX';
  return includes(VENUES, fields.venue) ? fields.venue : null;
}

function issue(field: OrderIssue['field'], code: string, message: string): OrderIssue {
  return { field, code, message };
}

const quoted = (list: readonly string[]): string => list.map((item) => `"${item}"`).join(', ');

/**
 * Checks the division and venue fields of a request: known values, a combination an exchange
 * offers, a venue that takes the division. Price presence is checked by `validateOrderRequest`
 * with `divisionPriceRule`.
 *
 * @param fields - The request's division and venue fields.
 * @returns The problems found; empty when the request names a division the venue takes.
 */
export function validateOrderDivision(fields: OrderDivisionFields): OrderIssue[] {
  const issues: OrderIssue[] = [];
  if (fields.priceCondition !== undefined && !includes(PRICE_CONDITIONS, fields.priceCondition)) {
    issues.push(
      issue(
        'priceCondition',
        'price-condition-invalid',
        `Price condition must be one of ${quoted(PRICE_CONDITIONS)}, or left out for a plain limit or market order.`,
      ),
    );
  }
  if (
    fields.executionCondition !== undefined &&
    !includes(EXECUTION_CONDITIONS, fields.executionCondition)
  ) {
    issues.push(
      issue(
        'executionCondition',
        'execution-condition-invalid',
        `Execution condition must be "ioc" or "fok", or left out for an order that rests.`,
      ),
    );
  }
  if (fields.session !== undefined && !includes(ORDER_SESSIONS, fields.session)) {
    issues.push(
      issue(
        'session',
        'session-invalid',
        `Session must be one of ${quoted(ORDER_SESSIONS)} (KRX off-hours), or left out for the regular session.`,
      ),
    );
  }
  const venue = venueOf(fields);
  if (venue === null) {
    issues.push(
      issue(
        'venue',
        'venue-invalid',
        `Venue must be one of ${quoted(VENUES)}, or left out for KRX.`,
      ),
    );
  }
  if (issues.length > 0 || (fields.type !== 'limit' && fields.type !== 'market')) return issues;
  const division = orderDivisionOf(fields);
  if (division === null) {
    issues.push(
      issue(
        'type',
        'division-unknown',
        `No exchange offers this combination (${describeCombination(fields)}): IOC and FOK go with a plain limit, a market or a "best" order; an off-hours session goes with a plain limit order and no other condition.`,
      ),
    );
    return issues;
  }
  if (venue !== null && !ORDER_DIVISION_RULES[division].venues.includes(venue)) {
    const rule = ORDER_DIVISION_RULES[division];
    issues.push(
      issue(
        'venue',
        'venue-not-offered',
        `${venue} does not take ${division} orders (${rule.koreanName}); ${quoted(rule.venues)} ${rule.venues.length === 1 ? 'does' : 'do'}: choose one of those, or another order type.`,
      ),
    );
  }
  return issues;
}

function describeCombination(fields: OrderDivisionFields): string {
  const parts = [`type "${String(fields.type)}"`];
  if (fields.priceCondition !== undefined) {
    parts.push(`priceCondition "${String(fields.priceCondition)}"`);
  }
  if (fields.executionCondition !== undefined) {
    parts.push(`executionCondition "${String(fields.executionCondition)}"`);
  }
  if (fields.session !== undefined) parts.push(`session "${String(fields.session)}"`);
  return parts.join(', ');
}

/** What an adapter offers beyond limit and market orders on KRX. */
export interface OrderOptionSupport {
  /** The divisions it sends. */
  readonly divisions: readonly OrderDivision[];
  /** The venues it sends to. */
  readonly venues: readonly Venue[];
}

/** What an adapter that does not say offers: limit (and market, when `marketOrders`) on KRX. */
export function defaultOrderOptionSupport(marketOrders: boolean): OrderOptionSupport {
  return { divisions: marketOrders ? ['limit', 'market'] : ['limit'], venues: ['KRX'] };
}

/**
 * The problems of sending a request to an adapter that does not offer its division or venue.
 * Call it before anything is sent; an empty list means the adapter offers both.
 *
 * @param support - What the adapter offers (`capabilities.orderOptions`, or `defaultOrderOptionSupport`).
 * @param fields - The request's division and venue fields (assumed valid).
 * @param adapterName - The adapter's name, for the message (e.g. `kis (paper)`).
 * @returns The problems; empty when the adapter offers the request's division and venue.
 */
export function unsupportedOrderOptions(
  support: OrderOptionSupport,
  fields: OrderDivisionFields,
  adapterName: string,
): OrderIssue[] {
  const issues: OrderIssue[] = [];
  const division = orderDivisionOf(fields);
  const venue = venueOf(fields);
  if (division !== null && !support.divisions.includes(division)) {
    issues.push(
      issue(
        'type',
        'division-not-supported',
        `${adapterName} does not offer ${division} orders (${ORDER_DIVISION_RULES[division].koreanName}); it offers ${quoted(support.divisions)}. Nothing was sent.`,
      ),
    );
  }
  if (venue !== null && !support.venues.includes(venue)) {
    issues.push(
      issue(
        'venue',
        'venue-not-supported',
        `${adapterName} does not send orders to ${venue}; it sends to ${quoted(support.venues)}. Nothing was sent.`,
      ),
    );
  }
  return issues;
}

/**
 * Checks a cancel or modify against the division of the order it acts on: an IOC or FOK order
 * never rests (the exchange cancels what does not fill at once), so there is nothing to cancel or
 * modify; an order the exchange prices (market, best, priority, the pre/post-market close
 * sessions) takes no new limit price: cancel it and place a new order instead.
 *
 * @param fields - The order's division fields (an `OrderRef`).
 * @param action - `cancel`, or `modify` with the change's fields.
 * @returns The problem, or null when the revision may be sent.
 */
export function revisionIssue(
  fields: OrderDivisionFields,
  action: { readonly kind: 'cancel' } | { readonly kind: 'modify'; readonly limitPrice?: number },
): OrderIssue | null {
  const division = orderDivisionOf(fields);
  if (division === null) return null;
  const rule = ORDER_DIVISION_RULES[division];
  if (!rule.rests) {
    return issue(
      'executionCondition',
      'order-does-not-rest',
      `A ${division} order (${rule.koreanName}) does not rest: the exchange filled what it could when it arrived and canceled the rest, so there is nothing to ${action.kind}. Nothing was sent; check the order's fills.`,
    );
  }
  if (
    action.kind === 'modify' &&
    action.limitPrice !== undefined &&
    rule.limitPrice === 'forbidden'
  ) {
    return issue(
      'limitPrice',
      'price-set-by-exchange',
      `A ${division} order (${rule.koreanName}) is priced by the exchange and takes no new limit price. Nothing was sent; cancel it and place a new limit order instead.`,
    );
  }
  return null;
}
