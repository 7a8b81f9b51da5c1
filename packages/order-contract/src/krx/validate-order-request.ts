import type { AdapterCapabilities } from '../adapter/order-adapter.js';
import { InvalidOrderError, type OrderIssue } from '../errors/qts-error.js';
import {
  ORDER_SIDES,
  ORDER_TYPES,
  type OrderRequest,
  PRODUCT_TYPES,
  type ProductType,
} from '../models/order.js';
import {
  defaultOrderOptionSupport,
  ORDER_DIVISION_RULES,
  type OrderDivision,
  orderDivisionOf,
  unsupportedOrderOptions,
  validateOrderDivision,
} from './order-division.js';
import { isValidSymbol, productTypeOfSymbol } from './symbol.js';
import { isOnTick, KRX_FUND_TICK, roundToTick, tickBand } from './tick-size.js';

/**
 * The default upper bound of one order's quantity: a guard against unit and fat-finger mistakes,
 * not a KRX rule. Override it with `maxQuantity`.
 */
export const DEFAULT_MAX_ORDER_QUANTITY = 1_000_000;

/** Options of `validateOrderRequest`. */
export interface ValidateOrderRequestOptions {
  /** The largest quantity one order may have. Defaults to 1,000,000 (`DEFAULT_MAX_ORDER_QUANTITY`). */
  readonly maxQuantity?: number;
}

/** Formats a number with thousands separators (`10005` becomes `10,005`), independent of the locale. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole = '', fraction] = String(Math.abs(value)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return formatNumber(value);
  if (value === null || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

function issue(field: OrderIssue['field'], code: string, message: string): OrderIssue {
  return { field, code, message };
}

function checkClientOrderId(value: unknown, issues: OrderIssue[]): void {
  if (value === undefined || value === null) {
    issues.push(
      issue(
        'clientOrderId',
        'client-order-id-missing',
        'Client order id is missing: give each order its own id of 1 to 64 characters, e.g. "intent-001".',
      ),
    );
  } else if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
    const got = typeof value === 'string' ? `${value.length} characters` : describe(value);
    issues.push(
      issue(
        'clientOrderId',
        'client-order-id-invalid',
        `Client order id must be a string of 1 to 64 characters (got ${got}): give each order its own short id, e.g. "intent-001".`,
      ),
    );
  }
}

function checkSymbol(value: unknown, issues: OrderIssue[]): void {
  if (value === undefined || value === null || value === '') {
    issues.push(
      issue(
        'symbol',
        'symbol-missing',
        'Symbol is missing: give the 6-character KRX code, e.g. "005930", or "Q" and 6 digits for an ETN.',
      ),
    );
    return;
  }
  if (isValidSymbol(value)) return;
  const suggestion =
    typeof value === 'string' && isValidSymbol(value.trim().toUpperCase())
      ? ` Did you mean "${value.trim().toUpperCase()}"?`
      : '';
  issues.push(
    issue(
      'symbol',
      'symbol-invalid',
      `Symbol ${describe(value)} is not a KRX code: use 6 digits or capital letters (e.g. "005930", preferred share "00088K"), or "Q" and 6 digits for an ETN (e.g. "Q500001").${suggestion}`,
    ),
  );
}

function checkSide(value: unknown, issues: OrderIssue[]): void {
  if (includes(ORDER_SIDES, value)) return;
  issues.push(
    value === undefined || value === null
      ? issue('side', 'side-missing', 'Side is missing: set side to "buy" or "sell".')
      : issue(
          'side',
          'side-invalid',
          `Side must be "buy" or "sell" (got ${describe(value)}): use "buy" to buy and "sell" to sell.`,
        ),
  );
}

function checkQuantity(value: unknown, maxQuantity: number, issues: OrderIssue[]): void {
  if (value === undefined || value === null) {
    issues.push(
      issue(
        'quantity',
        'quantity-missing',
        'Quantity is missing: give a whole number of shares of at least 1.',
      ),
    );
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    issues.push(
      issue(
        'quantity',
        'quantity-not-integer',
        `Quantity must be a whole number of shares of at least 1 (got ${describe(value)}).`,
      ),
    );
  } else if (value < 1) {
    issues.push(
      issue(
        'quantity',
        'quantity-too-small',
        `Quantity must be a whole number of shares of at least 1 (got ${describe(value)}).`,
      ),
    );
  } else if (value > maxQuantity) {
    issues.push(
      issue(
        'quantity',
        'quantity-too-large',
        `Quantity ${formatNumber(value)} is more than the ${formatNumber(maxQuantity)} shares one order may have: split it into smaller orders, or raise maxQuantity if it is meant.`,
      ),
    );
  }
}

function checkType(value: unknown, issues: OrderIssue[]): void {
  if (includes(ORDER_TYPES, value)) return;
  issues.push(
    value === undefined || value === null
      ? issue(
          'type',
          'type-missing',
          'Order type is missing: use "limit" with a limitPrice, or "market" without one.',
        )
      : issue(
          'type',
          'type-invalid',
          `Order type must be "limit" or "market" (got ${describe(value)}): use "limit" with a limitPrice, or "market" without one.`,
        ),
  );
}

function checkProductType(value: unknown, issues: OrderIssue[]): boolean {
  if (value === undefined || includes(PRODUCT_TYPES, value)) return true;
  issues.push(
    issue(
      'productType',
      'product-type-invalid',
      `Product type must be "stock", "etf" or "etn" (got ${describe(value)}): or leave it out for a stock.`,
    ),
  );
  return false;
}

function tickRule(price: number, productType: ProductType | undefined): string {
  if (productType === 'etf' || productType === 'etn') {
    return `${KRX_FUND_TICK} KRW for ETFs and ETNs`;
  }
  const band = tickBand(price);
  const range =
    band.below === Number.POSITIVE_INFINITY
      ? `of ${formatNumber(band.from)} and more`
      : band.from === 0
        ? `below ${formatNumber(band.below)}`
        : `${formatNumber(band.from)}-${formatNumber(band.below - 1)}`;
  return `${formatNumber(band.tick)} KRW for prices ${range}`;
}

function neighbours(price: number, productType: ProductType | undefined): string {
  const down = roundToTick(price, 'down', productType);
  const up = roundToTick(price, 'up', productType);
  return down === up ? formatNumber(down) : `${formatNumber(down)} or ${formatNumber(up)}`;
}

function checkLimitPrice(
  type: unknown,
  division: OrderDivision | null,
  value: unknown,
  productType: ProductType | undefined,
  checkTick: boolean,
  issues: OrderIssue[],
): void {
  const absent = value === undefined || value === null;
  if (type === 'market') {
    if (!absent) {
      issues.push(
        issue(
          'limitPrice',
          'price-forbidden',
          `A market order must not carry a limit price (got ${describe(value)}): remove limitPrice, or use type "limit".`,
        ),
      );
    }
    return;
  }
  const rule = division === null ? undefined : ORDER_DIVISION_RULES[division];
  if (rule !== undefined && rule.limitPrice === 'forbidden') {
    if (!absent) {
      issues.push(
        issue(
          'limitPrice',
          'price-forbidden',
          `A ${division} order (${rule.koreanName}) is priced by the exchange and must not carry a limit price (got ${describe(value)}): remove limitPrice, or send a plain limit order.`,
        ),
      );
    }
    return;
  }
  if (absent) {
    if (type === 'limit') {
      issues.push(
        issue(
          'limitPrice',
          'price-missing',
          rule === undefined || division === 'limit'
            ? 'A limit order needs a limitPrice in KRW on the KRX tick (e.g. 70000): add one, or use type "market".'
            : `A ${division} order (${rule.koreanName}) needs a limitPrice in KRW on the KRX tick (e.g. 70000): add one.`,
        ),
      );
    }
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.push(
      issue(
        'limitPrice',
        'price-not-number',
        `Limit price must be a number of KRW (got ${describe(value)}): pass it as a plain number such as 70000.`,
      ),
    );
  } else if (value <= 0) {
    issues.push(
      issue(
        'limitPrice',
        'price-not-positive',
        `Limit price must be more than 0 KRW (got ${describe(value)}): use the price you want to trade at, on the KRX tick.`,
      ),
    );
  } else if (!Number.isInteger(value)) {
    issues.push(
      issue(
        'limitPrice',
        'price-not-integer',
        `Limit price must be a whole number of KRW (got ${describe(value)}): use ${neighbours(value, checkTick ? productType : undefined)}.`,
      ),
    );
  } else if (checkTick && !isOnTick(value, productType)) {
    issues.push(
      issue(
        'limitPrice',
        'price-off-tick',
        `Limit price ${formatNumber(value)} KRW is not on the KRX tick (${tickRule(value, productType)}): use ${neighbours(value, productType)}.`,
      ),
    );
  }
}

/**
 * Checks an order request against the contract and the KRX rules: client order id, symbol
 * format, side, quantity (whole, at least 1, at most `maxQuantity`), type, limit price (required
 * for limit, forbidden for market, positive whole KRW on the tick), product type, and the
 * optional division fields (price condition, execution condition, session, venue: a combination
 * an exchange offers at that venue, with a limit price exactly when the division needs one). An ETN
 * symbol (`Q` + 6 digits) uses the ETN tick even without a product type.
 *
 * @param request - Any value; never throws for bad input.
 * @param options - Optional limits.
 * @returns Every problem found, each with a message saying what is wrong and how to fix it; empty when valid.
 */
export function validateOrderRequest(
  request: unknown,
  options: ValidateOrderRequestOptions = {},
): OrderIssue[] {
  const maxQuantity = options.maxQuantity ?? DEFAULT_MAX_ORDER_QUANTITY;
  const input: Readonly<Record<string, unknown>> =
    typeof request === 'object' && request !== null && !Array.isArray(request)
      ? (request as Readonly<Record<string, unknown>>)
      : {};
  const issues: OrderIssue[] = [];
  checkClientOrderId(input.clientOrderId, issues);
  checkSymbol(input.symbol, issues);
  checkSide(input.side, issues);
  checkQuantity(input.quantity, maxQuantity, issues);
  checkType(input.type, issues);
  const productTypeOk = checkProductType(input.productType, issues);
  const productType: ProductType | undefined = includes(PRODUCT_TYPES, input.productType)
    ? input.productType
    : typeof input.symbol === 'string'
      ? productTypeOfSymbol(input.symbol)
      : undefined;
  const divisionIssues = validateOrderDivision(input);
  issues.push(...divisionIssues);
  // A venue that does not take the division still leaves the division known: its price rule applies.
  const division = orderDivisionOf(input);
  checkLimitPrice(input.type, division, input.limitPrice, productType, productTypeOk, issues);
  return issues;
}

/**
 * Checks an order request like `validateOrderRequest` and throws when anything is wrong.
 *
 * @param request - Any value.
 * @param options - Optional limits.
 * @returns Nothing; narrows `request` to `OrderRequest`.
 * @throws `InvalidOrderError` carrying every issue, when the request breaks a rule.
 */
export function assertValidOrderRequest(
  request: unknown,
  options: ValidateOrderRequestOptions = {},
): asserts request is OrderRequest {
  const issues = validateOrderRequest(request, options);
  if (issues.length > 0) throw new InvalidOrderError(issues);
}

/**
 * Checks an order request like `assertValidOrderRequest`, then that the adapter offers its
 * division and venue (`capabilities.orderOptions`, or limit and market on KRX when it does not
 * say). Adapters call it first thing in `placeOrder`.
 *
 * @param request - Any value.
 * @param capabilities - The adapter's capabilities.
 * @param adapterName - How messages name the adapter, e.g. `kis (paper)`.
 * @param options - Optional limits.
 * @throws `InvalidOrderError` when the request breaks a rule or the adapter does not offer it; nothing was sent.
 */
export function assertSupportedOrderRequest(
  request: unknown,
  capabilities: Pick<AdapterCapabilities, 'marketOrders' | 'orderOptions'>,
  adapterName: string,
  options: ValidateOrderRequestOptions = {},
): asserts request is OrderRequest {
  assertValidOrderRequest(request, options);
  const support = capabilities.orderOptions ?? defaultOrderOptionSupport(capabilities.marketOrders);
  const issues = unsupportedOrderOptions(support, request, adapterName);
  if (issues.length > 0) throw new InvalidOrderError(issues);
}
