import {
  EXECUTION_CONDITIONS,
  InvalidOrderError,
  ORDER_SESSIONS,
  ORDER_SIDES,
  ORDER_TYPES,
  type OrderIssue,
  type OrderRequest,
  PRICE_CONDITIONS,
  PRODUCT_TYPES,
  VENUES,
  validateOrderRequest,
} from '@qts/order-contract';
import * as v from 'valibot';
import { divisionInfoOf } from './order.js';

/**
 * What a caller wants traded. Shape only; KRX rules (symbol format, tick, quantity) are checked by
 * the contract's `validateOrderRequest` when the route takes it.
 */
export const OrderIntentSchema = v.object({
  /** The caller's idempotency key (`--client-order-id`): the same id never yields a second order. */
  intentId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  symbol: v.string(),
  side: v.picklist(ORDER_SIDES),
  quantity: v.number(),
  /** `limit` needs `limitPrice`; `market` must not have one. */
  type: v.picklist(ORDER_TYPES),
  limitPrice: v.optional(v.nullable(v.number())),
  productType: v.optional(v.picklist(PRODUCT_TYPES)),
  /** `conditional`, `best` or `priority` (docs/order-types.md); absent for a plain order. */
  priceCondition: v.optional(v.picklist(PRICE_CONDITIONS)),
  /** `ioc` or `fok`; absent for an order that rests. */
  executionCondition: v.optional(v.picklist(EXECUTION_CONDITIONS)),
  /** A KRX off-hours session: `pre`, `post`, `single`. */
  session: v.optional(v.picklist(ORDER_SESSIONS)),
  /** `KRX` (absent), `NXT` or `SOR`. */
  venue: v.optional(v.picklist(VENUES)),
  /** Free text kept in the journal. */
  note: v.optional(v.pipe(v.string(), v.maxLength(500))),
});
/** What a caller wants traded. */
export type OrderIntent = v.InferOutput<typeof OrderIntentSchema>;

function record(input: unknown): Readonly<Record<string, unknown>> {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as Readonly<Record<string, unknown>>)
    : {};
}

/**
 * Checks an intent: shape (valibot) and the contract's KRX rules, collecting every problem.
 *
 * @param input Any value.
 * @param orderId The local order id the request will carry.
 * @returns The intent and the adapter request built from it.
 * @throws {InvalidOrderError} with every issue; nothing is journaled or sent.
 */
export function parseOrderIntent(
  input: unknown,
  orderId: string,
): { intent: OrderIntent; request: OrderRequest } {
  const raw = record(input);
  const candidate = {
    clientOrderId: orderId,
    symbol: raw.symbol,
    side: raw.side,
    quantity: raw.quantity,
    type: raw.type,
    limitPrice: raw.limitPrice,
    ...(raw.productType === undefined ? {} : { productType: raw.productType }),
    ...(raw.priceCondition === undefined ? {} : { priceCondition: raw.priceCondition }),
    ...(raw.executionCondition === undefined ? {} : { executionCondition: raw.executionCondition }),
    ...(raw.session === undefined ? {} : { session: raw.session }),
    ...(raw.venue === undefined ? {} : { venue: raw.venue }),
  };
  const issues: OrderIssue[] = validateOrderRequest(candidate);
  if (raw.intentId !== undefined && !v.is(OrderIntentSchema.entries.intentId, raw.intentId)) {
    issues.push({
      field: 'clientOrderId',
      code: 'intent-id-invalid',
      message:
        'The intent id (--client-order-id) must be text of 1 to 64 characters, e.g. "rebalance-0001".',
    });
  }
  if (raw.note !== undefined && !v.is(OrderIntentSchema.entries.note, raw.note)) {
    issues.push({
      // The contract's issue fields have no "note"; the note travels with the caller's id.
      field: 'clientOrderId',
      code: 'note-invalid',
      message: 'The note must be text of at most 500 characters.',
    });
  }
  const parsed = v.safeParse(OrderIntentSchema, input);
  if (issues.length > 0 || !parsed.success) {
    if (issues.length === 0) {
      issues.push({
        field: 'type',
        code: 'intent-shape-invalid',
        message: `The intent is malformed: ${parsed.issues?.map((i) => i.message).join('; ') ?? 'not an object'}.`,
      });
    }
    throw new InvalidOrderError(issues);
  }
  const intent = parsed.output;
  const request: OrderRequest = {
    clientOrderId: orderId,
    symbol: intent.symbol,
    side: intent.side,
    quantity: intent.quantity,
    type: intent.type,
    limitPrice: intent.type === 'limit' ? (intent.limitPrice ?? null) : null,
    ...(intent.productType === undefined ? {} : { productType: intent.productType }),
    ...divisionInfoOf(intent),
  };
  return { intent, request };
}
