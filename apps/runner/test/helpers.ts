// The runner's CLI tests: the JSON shapes the CLI promises (README), and small readers of a
// QTS_HOME. Spawning the CLI, temporary homes and the sandbox environment are in @qts/test-utils.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';

/** Everything in QTS_HOME/logs, concatenated. */
export function logsOf(home: string): string {
  try {
    const folder = join(home, 'logs');
    return readdirSync(folder)
      .map((name) => readFileSync(join(folder, name), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

export const ErrorSchema = v.strictObject({
  code: v.string(),
  outcome: v.picklist(['not_placed', 'rejected', 'unknown']),
  message: v.pipe(v.string(), v.minLength(1)),
  brokerCode: v.nullable(v.string()),
  brokerMessage: v.nullable(v.string()),
  hint: v.pipe(v.string(), v.minLength(1)),
});

export const ErrorOnlySchema = v.strictObject({ error: ErrorSchema });

const orderEntries = {
  orderId: v.pipe(v.string(), v.minLength(1)),
  brokerOrderId: v.nullable(v.string()),
  status: v.picklist([
    'pending',
    'submitted',
    'accepted',
    'partially_filled',
    'filled',
    'canceled',
    'rejected',
    'failed',
    'unknown',
    'not_found',
    'pending_cancel',
    'pending_modify',
    'cancel_unknown',
    'modify_unknown',
  ]),
  symbol: v.string(),
  side: v.picklist(['buy', 'sell']),
  quantity: v.number(),
  price: v.nullable(v.number()),
  type: v.picklist(['limit', 'market']),
  // Only on orders that name a division or venue (docs/order-types.md).
  priceCondition: v.exactOptional(v.picklist(['conditional', 'best', 'priority'])),
  executionCondition: v.exactOptional(v.picklist(['ioc', 'fok'])),
  session: v.exactOptional(v.picklist(['pre', 'post', 'single'])),
  venue: v.exactOptional(v.picklist(['NXT', 'SOR'])),
  mode: v.picklist(['virtual', 'paper', 'real']),
  filledQuantity: v.number(),
  averagePrice: v.nullable(v.number()),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  clientOrderId: v.nullable(v.string()),
};

export const OrderSchema = v.strictObject(orderEntries);
export const OrderWithErrorSchema = v.strictObject({ ...orderEntries, error: ErrorSchema });

export const OrdersSchema = v.strictObject({
  orders: v.array(OrderSchema),
  reconciled: v.array(
    v.strictObject({ orderId: v.string(), from: v.string(), to: v.string(), reason: v.string() }),
  ),
});

/** `qts orders --json` when reconciliation failed: the journal's orders, and why. */
export const OrdersNotReconciledSchema = v.strictObject({
  orders: v.array(OrderSchema),
  reconciled: v.array(
    v.strictObject({ orderId: v.string(), from: v.string(), to: v.string(), reason: v.string() }),
  ),
  error: ErrorSchema,
});

export const BalanceSchema = v.strictObject({
  cash: v.object({ deposit: v.number(), orderable: v.number() }),
  positions: v.array(v.object({ symbol: v.string(), quantity: v.number() })),
});

export const TokenSchema = v.strictObject({
  mode: v.picklist(['virtual', 'paper', 'real']),
  host: v.nullable(v.string()),
  expiresAt: v.nullable(v.string()),
  cachedAt: v.nullable(v.string()),
  file: v.nullable(v.string()),
});

/** Parses with a schema, throwing the issues readably. */
export function expectShape<T extends v.GenericSchema>(
  schema: T,
  value: unknown,
): v.InferOutput<T> {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    throw new Error(
      `shape mismatch: ${JSON.stringify(v.flatten(result.issues))}\n${JSON.stringify(value)}`,
    );
  }
  return result.output;
}

/** `qts balance --symbol S [--price P] --json`. */
export const BalanceWithPowerSchema = v.strictObject({
  cash: v.object({ deposit: v.number(), orderable: v.number() }),
  positions: v.array(v.object({ symbol: v.string(), quantity: v.number() })),
  buyingPower: v.strictObject({
    symbol: v.string(),
    price: v.nullable(v.number()),
    unitPrice: v.number(),
    orderableCash: v.number(),
    quantity: v.number(),
    amount: v.number(),
    quantityWithCredit: v.number(),
    amountWithCredit: v.number(),
  }),
});

/** `qts quote <symbol> --json`. */
export const QuoteJsonSchema = v.strictObject({
  symbol: v.string(),
  price: v.number(),
  upperLimit: v.number(),
  lowerLimit: v.number(),
  basePrice: v.nullable(v.number()),
  tick: v.number(),
});
