import * as v from 'valibot';
import { expect } from 'vitest';
import type { OrderAdapter } from '../adapter/order-adapter.js';
import { QtsError } from '../errors/qts-error.js';
import {
  defaultOrderOptionSupport,
  ORDER_DIVISION_RULES,
  ORDER_DIVISIONS,
  type OrderDivision,
  orderDivisionParts,
  VENUES,
  type Venue,
} from '../krx/order-division.js';
import { tickSize } from '../krx/tick-size.js';
import type { OrderEvent, OrderFilledEvent } from '../models/event.js';
import { OrderFilledEventSchema } from '../models/event.js';
import {
  type BrokerOrder,
  BrokerOrderSchema,
  type OrderAck,
  OrderAckSchema,
  type OrderRef,
  type OrderRequest,
  type ProductType,
} from '../models/order.js';
import { waitFor } from './wait-for.js';

/** What the broker does with the NEXT place request (only that one; later ones are accepted). */
export type BrokerPlaceScript =
  /** The broker answers with a refusal carrying its own code and message. */
  | { readonly kind: 'reject'; readonly brokerCode: string; readonly brokerMessage: string }
  /** The broker takes (books) the order but never answers the request. */
  | { readonly kind: 'timeout-after-accept' }
  /** The connection is refused: the request never reaches the broker. */
  | { readonly kind: 'refuse-connection' };

/**
 * What an adapter's tests hand the conformance kit: the adapter under test plus a scripted
 * broker behind it (an in-process exchange, a sandbox server, msw handlers...). The kit creates a
 * fresh harness for every case and closes it afterwards.
 */
export interface ConformanceHarness {
  /** The adapter under test, talking to the scripted broker. Use a short response timeout (e.g. 200 ms) so the timeout case runs fast. */
  readonly adapter: OrderAdapter;
  /** A symbol the broker trades. */
  readonly symbol: string;
  /** The product type of `symbol` when it is not a stock (changes the tick). */
  readonly productType?: ProductType;
  /** A limit price on the tick at which a buy order RESTS (does not fill at once). */
  readonly limitPrice: number;
  /** The trading date (`YYYYMMDD`, Asia/Seoul) the broker books orders on. */
  readonly tradingDate: string;
  /** How long the kit polls inquiries and notices before failing. @defaultValue 5000 */
  readonly waitTimeoutMs?: number;
  /** How many place requests reached the broker so far (refused connections do not count). */
  placeRequests(): Promise<number>;
  /** Scripts what the broker does with the next place request. */
  scriptNextPlace(script: BrokerPlaceScript): Promise<void>;
  /** The broker fills `quantity` more of a resting order at `price` and sends the fill notice. */
  fill(brokerOrderId: string, quantity: number, price: number): Promise<void>;
  /** The broker sends its last notice again (a duplicate). */
  replayLastNotice(): Promise<void>;
  /**
   * Moves the broker into the session that takes an off-hours division (e.g. its clock to 16:30
   * KST for `after-hours-single`). Optional: without it, the kit does not place off-hours
   * divisions (it still checks that undeclared ones are refused).
   */
  enterWindow?(division: OrderDivision, venue: Venue): Promise<void>;
  /** Undoes `enterWindow`. */
  leaveWindow?(): Promise<void>;
  /** Releases the adapter and the broker. */
  close(): Promise<void>;
}

/** One case of the conformance suite, runnable as a plain async function. */
export interface ConformanceCheck {
  /** A stable id, e.g. `place-accepted`. */
  readonly id: string;
  /** The case's title in the test report. */
  readonly title: string;
  /** True when the case needs `capabilities.notices` (skipped otherwise). */
  readonly needsNotices: boolean;
  /** True when the case needs `capabilities.modify` (skipped otherwise). */
  readonly needsModify?: boolean;
  /** Runs the case; throws (an assertion error) when the adapter breaks the contract. */
  readonly run: (harness: ConformanceHarness) => Promise<void>;
}

/** The quantity of every order the kit places. */
export const CONFORMANCE_ORDER_QUANTITY = 10;

/** The rejection the kit scripts: KIS's "insufficient buying power" answer, verbatim. */
export const CONFORMANCE_REJECTION = {
  brokerCode: 'APBK0952',
  brokerMessage: '주문가능금액을 초과 했습니다',
} as const;

let sequence = 0;

/**
 * A valid resting limit buy order for the harness's symbol and price.
 *
 * @param harness - The harness.
 * @param overrides - Fields to replace (used to build invalid requests).
 * @returns The request.
 */
export function conformanceOrderRequest(
  harness: ConformanceHarness,
  overrides: Partial<Record<keyof OrderRequest, unknown>> = {},
): OrderRequest {
  sequence += 1;
  return {
    clientOrderId: `conformance-${process.pid}-${sequence}`,
    symbol: harness.symbol,
    side: 'buy',
    quantity: CONFORMANCE_ORDER_QUANTITY,
    type: 'limit',
    limitPrice: harness.limitPrice,
    ...(harness.productType === undefined ? {} : { productType: harness.productType }),
    ...overrides,
  } as OrderRequest;
}

/**
 * The reference a cancel or modify of a placed order needs.
 *
 * @param request - The placed request.
 * @param ack - Its acknowledgement.
 * @returns The order reference.
 */
export function orderRefOf(request: OrderRequest, ack: OrderAck): OrderRef {
  return {
    brokerOrderId: ack.brokerOrderId,
    brokerBranch: ack.brokerBranch,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    quantity: request.quantity,
    limitPrice: request.limitPrice ?? null,
    tradingDate: ack.tradingDate,
  };
}

async function captureError(action: () => Promise<unknown>, what: string): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error(`Expected ${what} to fail, but it succeeded.`);
}

function expectQtsError(
  error: unknown,
  name: string,
  outcome: QtsError['outcome'],
): asserts error is QtsError {
  const shown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  expect(QtsError.isInstance(error), `expected a QtsError, got ${shown}`).toBe(true);
  const qts = error as QtsError;
  expect(qts.name, `error class (${shown})`).toBe(name);
  expect(qts.outcome, `error outcome (${shown})`).toBe(outcome);
}

async function placeAccepted(
  harness: ConformanceHarness,
): Promise<{ request: OrderRequest; ack: OrderAck }> {
  const request = conformanceOrderRequest(harness);
  const ack = await harness.adapter.placeOrder(request);
  const parsed = v.safeParse(OrderAckSchema, ack);
  expect(parsed.issues?.map((issue) => issue.message) ?? [], 'OrderAck schema issues').toEqual([]);
  return { request, ack };
}

async function findOrder(
  harness: ConformanceHarness,
  brokerOrderId: string,
  accept: (order: BrokerOrder) => boolean,
  description: string,
): Promise<BrokerOrder> {
  return waitFor(
    async () => {
      const orders = await harness.adapter.getOrders({ tradingDate: harness.tradingDate });
      for (const order of orders) {
        const parsed = v.safeParse(BrokerOrderSchema, order);
        expect(
          parsed.issues?.map((issue) => issue.message) ?? [],
          'BrokerOrder schema issues',
        ).toEqual([]);
      }
      const found = orders.find(
        (order) => order.brokerOrderId === brokerOrderId && order.kind === 'order',
      );
      return found !== undefined && accept(found) ? found : undefined;
    },
    { description, timeoutMs: harness.waitTimeoutMs ?? 5_000 },
  );
}

/** A limit order is accepted with a broker order number, booked on the harness's trading date, after exactly one place request. */
export async function checkLimitOrderAccepted(harness: ConformanceHarness): Promise<void> {
  const before = await harness.placeRequests();
  const { ack } = await placeAccepted(harness);
  expect(ack.brokerOrderId.length, 'broker order number').toBeGreaterThan(0);
  expect(ack.originalBrokerOrderId, 'a new order acts on no other order').toBeNull();
  expect(ack.tradingDate, 'trading date of the ack').toBe(harness.tradingDate);
  expect((await harness.placeRequests()) - before, 'place requests sent').toBe(1);
}

/** A placed order appears in `getOrders` for its trading date, open, with nothing filled. */
export async function checkOrderAppearsInInquiry(harness: ConformanceHarness): Promise<void> {
  const { request, ack } = await placeAccepted(harness);
  const order = await findOrder(
    harness,
    ack.brokerOrderId,
    () => true,
    `order ${ack.brokerOrderId} in getOrders(${harness.tradingDate})`,
  );
  expect(order).toMatchObject({
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    quantity: request.quantity,
    limitPrice: request.limitPrice,
    filledQuantity: 0,
    remainingQuantity: request.quantity,
    status: 'open',
    tradingDate: harness.tradingDate,
  });
}

/** Cancel works: the ack names the canceled order, and `getOrders` then shows it canceled with nothing left open. */
export async function checkCancelOrder(harness: ConformanceHarness): Promise<void> {
  const { request, ack } = await placeAccepted(harness);
  const cancelAck = await harness.adapter.cancelOrder(orderRefOf(request, ack));
  const parsed = v.safeParse(OrderAckSchema, cancelAck);
  expect(
    parsed.issues?.map((issue) => issue.message) ?? [],
    'cancel OrderAck schema issues',
  ).toEqual([]);
  expect(cancelAck.originalBrokerOrderId, 'the cancel ack names the canceled order').toBe(
    ack.brokerOrderId,
  );
  const order = await findOrder(
    harness,
    ack.brokerOrderId,
    (found) => found.status === 'canceled',
    `order ${ack.brokerOrderId} shown canceled in getOrders`,
  );
  expect(order.remainingQuantity, 'remaining quantity after cancel').toBe(0);
  expect(order.canceledQuantity, 'canceled quantity').toBe(request.quantity);
  expect(order.filledQuantity, 'filled quantity').toBe(0);
}

/** Invalid requests (quantity 0, a price off the tick, a malformed symbol) raise InvalidOrderError and send nothing. */
export async function checkInvalidRequestsAreNotSent(harness: ConformanceHarness): Promise<void> {
  const before = await harness.placeRequests();
  const tick = tickSize(harness.limitPrice, harness.productType);
  const cases = [
    { field: 'quantity', overrides: { quantity: 0 } },
    {
      field: 'limitPrice',
      overrides: { limitPrice: tick > 1 ? harness.limitPrice + 1 : harness.limitPrice + 0.5 },
    },
    { field: 'symbol', overrides: { symbol: 'ABC12' } },
  ] as const;
  for (const { field, overrides } of cases) {
    const request = conformanceOrderRequest(harness, overrides);
    const error = await captureError(
      () => harness.adapter.placeOrder(request),
      `placeOrder with an invalid ${field} (${JSON.stringify(overrides)})`,
    );
    expectQtsError(error, 'InvalidOrderError', 'not_placed');
    expect(error.code).toBe('INVALID_ORDER');
    const issues = (error as QtsError & { issues?: readonly { field: string }[] }).issues ?? [];
    expect(
      issues.map((issue) => issue.field),
      `issues of the InvalidOrderError for ${field}`,
    ).toContain(field);
  }
  expect((await harness.placeRequests()) - before, 'place requests sent for invalid orders').toBe(
    0,
  );
}

/** A broker rejection raises BrokerRejectedError keeping the broker's code and message verbatim. */
export async function checkBrokerRejection(harness: ConformanceHarness): Promise<void> {
  const before = await harness.placeRequests();
  await harness.scriptNextPlace({ kind: 'reject', ...CONFORMANCE_REJECTION });
  const error = await captureError(
    () => harness.adapter.placeOrder(conformanceOrderRequest(harness)),
    'placeOrder against a rejecting broker',
  );
  expectQtsError(error, 'BrokerRejectedError', 'rejected');
  expect(error.brokerCode, 'broker code, verbatim').toBe(CONFORMANCE_REJECTION.brokerCode);
  expect(error.brokerMessage, 'broker message, verbatim').toBe(CONFORMANCE_REJECTION.brokerMessage);
  expect((await harness.placeRequests()) - before, 'place requests sent').toBe(1);
}

/** A timeout after sending raises OutcomeUnknownError after exactly one place request: never a resend. */
export async function checkTimeoutAfterSendIsUnknown(harness: ConformanceHarness): Promise<void> {
  const before = await harness.placeRequests();
  await harness.scriptNextPlace({ kind: 'timeout-after-accept' });
  const error = await captureError(
    () => harness.adapter.placeOrder(conformanceOrderRequest(harness)),
    'placeOrder against a broker that never answers',
  );
  expectQtsError(error, 'OutcomeUnknownError', 'unknown');
  expect((await harness.placeRequests()) - before, 'place requests sent before the error').toBe(1);
  // Barrier: a later order goes out once; a background resend of the first would show here.
  await placeAccepted(harness);
  expect((await harness.placeRequests()) - before, 'place requests sent in all').toBe(2);
}

/** A refused connection raises RouteUnavailableError (outcome not_placed), nothing reaches the broker, and the next order goes through. */
export async function checkRefusedConnectionIsNotPlaced(
  harness: ConformanceHarness,
): Promise<void> {
  const before = await harness.placeRequests();
  await harness.scriptNextPlace({ kind: 'refuse-connection' });
  const error = await captureError(
    () => harness.adapter.placeOrder(conformanceOrderRequest(harness)),
    'placeOrder against a refused connection',
  );
  expectQtsError(error, 'RouteUnavailableError', 'not_placed');
  expect((await harness.placeRequests()) - before, 'place requests that reached the broker').toBe(
    0,
  );
  await placeAccepted(harness);
  expect((await harness.placeRequests()) - before, 'place requests after recovery').toBe(1);
}

/** A call with an already aborted signal raises RouteUnavailableError (code ABORTED, outcome not_placed) and sends nothing. */
export async function checkAbortBeforeSendIsNotPlaced(harness: ConformanceHarness): Promise<void> {
  const before = await harness.placeRequests();
  const controller = new AbortController();
  controller.abort();
  const error = await captureError(
    () =>
      harness.adapter.placeOrder(conformanceOrderRequest(harness), { signal: controller.signal }),
    'placeOrder with an aborted signal',
  );
  expectQtsError(error, 'RouteUnavailableError', 'not_placed');
  expect(error.code, 'error code').toBe('ABORTED');
  expect((await harness.placeRequests()) - before, 'place requests sent').toBe(0);
}

function fillsOf(events: readonly OrderEvent[], brokerOrderId: string): OrderFilledEvent[] {
  return events.filter(
    (event): event is OrderFilledEvent =>
      event.type === 'order-filled' && event.brokerOrderId === brokerOrderId,
  );
}

/**
 * Fills reach a subscriber as order-filled events with CUMULATIVE quantities (3, then 5, then 6
 * of 10), and a replayed notice changes nothing: the cumulative quantity does not grow (an
 * identical duplicate event may arrive, carrying the same cumulative values).
 */
export async function checkFillsReachSubscriberOnce(harness: ConformanceHarness): Promise<void> {
  const events: OrderEvent[] = [];
  const unsubscribe = await harness.adapter.subscribe((event) => {
    events.push(event);
  });
  try {
    const { request, ack } = await placeAccepted(harness);
    const id = ack.brokerOrderId;
    const price = harness.limitPrice;
    const nextFill = (seen: readonly number[], description: string) =>
      waitFor(() => fillsOf(events, id).find((event) => !seen.includes(event.filledQuantity)), {
        description,
        timeoutMs: harness.waitTimeoutMs ?? 5_000,
      });

    await harness.fill(id, 3, price);
    const first = await nextFill([], `an order-filled event for ${id}`);
    expect(first.filledQuantity, 'cumulative filled quantity after filling 3').toBe(3);

    await harness.fill(id, 2, price);
    const second = await nextFill([3], 'the order-filled event of the second fill');
    expect(second.filledQuantity, 'cumulative filled quantity after filling 3 + 2').toBe(5);

    await harness.replayLastNotice();
    // Barrier: one more real fill; notices arrive in order, so the replay was handled before it.
    await harness.fill(id, 1, price);
    const third = await nextFill(
      [3, 5],
      'the order-filled event of the fill after the replayed notice',
    );
    expect(third.filledQuantity, 'cumulative filled quantity after 3 + 2 + (replay) + 1').toBe(6);

    const fills = fillsOf(events, id);
    for (const fill of fills) {
      const parsed = v.safeParse(OrderFilledEventSchema, fill);
      expect(
        parsed.issues?.map((issue) => issue.message) ?? [],
        'fill event schema issues',
      ).toEqual([]);
      expect(fill).toMatchObject({ symbol: request.symbol, side: request.side });
      expect(fill.averagePrice, 'cumulative average price').toBe(price);
    }
    const quantities = fills.map((fill) => fill.filledQuantity);
    expect(quantities, 'cumulative quantities never shrink').toEqual(
      [...quantities].sort((a, b) => a - b),
    );
    expect(new Set(quantities), 'cumulative quantities seen').toEqual(new Set([3, 5, 6]));
    expect(quantities.filter((quantity) => quantity === 3).length, 'events for fill 1').toBe(1);
    expect(quantities.filter((quantity) => quantity === 6).length, 'events for fill 3').toBe(1);

    await findOrder(
      harness,
      id,
      (order) => order.filledQuantity === 6,
      `order ${id} with 6 filled in getOrders`,
    ).then((order) => {
      expect(order).toMatchObject({
        filledQuantity: 6,
        remainingQuantity: request.quantity - 6,
        status: 'partially_filled',
        averagePrice: price,
      });
    });
  } finally {
    await unsubscribe();
  }
}

/**
 * The rows of one order's family in `getOrders`: the order itself and the modify orders that
 * act on it (directly or through an earlier modify). Cancel orders are left out.
 */
function familyOf(orders: readonly BrokerOrder[], brokerOrderId: string): BrokerOrder[] {
  const ids = new Set([brokerOrderId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const order of orders) {
      if (
        order.kind === 'modify' &&
        order.originalBrokerOrderId !== null &&
        ids.has(order.originalBrokerOrderId) &&
        !ids.has(order.brokerOrderId)
      ) {
        ids.add(order.brokerOrderId);
        grew = true;
      }
    }
  }
  return orders.filter((order) => order.kind !== 'cancel' && ids.has(order.brokerOrderId));
}

async function waitForFamily(
  harness: ConformanceHarness,
  brokerOrderId: string,
  accept: (family: readonly BrokerOrder[]) => boolean,
  description: string,
): Promise<BrokerOrder[]> {
  let last: BrokerOrder[] = [];
  try {
    return await waitFor(
      async () => {
        last = familyOf(
          await harness.adapter.getOrders({ tradingDate: harness.tradingDate }),
          brokerOrderId,
        );
        return last.length > 0 && accept(last) ? last : undefined;
      },
      { description, timeoutMs: harness.waitTimeoutMs ?? 5_000 },
    );
  } catch (error) {
    const shown = last.map(
      (order) =>
        `${order.kind} ${order.brokerOrderId}: ${order.remainingQuantity} open @ ${String(order.limitPrice)}, ${order.filledQuantity} filled, ${order.canceledQuantity} canceled`,
    );
    throw new Error(`${(error as Error).message} Last seen: [${shown.join('; ')}]`);
  }
}

const openOf = (family: readonly BrokerOrder[]): number =>
  family.reduce((sum, order) => sum + order.remainingQuantity, 0);

function expectRevisionAck(ack: OrderAck, original: string, what: string): void {
  const parsed = v.safeParse(OrderAckSchema, ack);
  expect(
    parsed.issues?.map((issue) => issue.message) ?? [],
    `${what} OrderAck schema issues`,
  ).toEqual([]);
  expect(ack.originalBrokerOrderId, `the ${what} ack names the order it acted on`).toBe(original);
}

/** The reference of the order a modify ack leaves live (the route cancels or modifies this next). */
function refAfterModify(
  ref: OrderRef,
  ack: OrderAck,
  quantity: number,
  limitPrice: number | null,
): OrderRef {
  return {
    ...ref,
    brokerOrderId: ack.brokerOrderId,
    brokerBranch: ack.brokerBranch ?? ref.brokerBranch,
    quantity,
    limitPrice,
  };
}

/**
 * `modify` with a quantity sets the NEW REMAINING quantity: 10 open, modify to 4 at a new price
 * leaves exactly 4 open across the order and its modify orders, all at the new price; a cancel
 * of the order the ack names then leaves nothing open.
 */
export async function checkModifyQuantityAndPrice(harness: ConformanceHarness): Promise<void> {
  const { request, ack } = await placeAccepted(harness);
  const id = ack.brokerOrderId;
  const ref = orderRefOf(request, ack);
  await findOrder(harness, id, (order) => order.remainingQuantity > 0, `order ${id} open`);
  const newPrice = harness.limitPrice - tickSize(harness.limitPrice, harness.productType);
  const modifyAck = await harness.adapter.modifyOrder(ref, { quantity: 4, limitPrice: newPrice });
  expectRevisionAck(modifyAck, id, 'modify');
  const family = await waitForFamily(
    harness,
    id,
    (rows) =>
      openOf(rows) === 4 &&
      rows.every((row) => row.remainingQuantity === 0 || row.limitPrice === newPrice),
    `order ${id} with 4 shares open, all at ${newPrice}, after modify(quantity 4, price ${newPrice})`,
  );
  expect(openOf(family), 'shares open after the modify').toBe(4);
  await harness.adapter.cancelOrder(refAfterModify(ref, modifyAck, 4, newPrice));
  await waitForFamily(
    harness,
    id,
    (rows) => openOf(rows) === 0,
    `order ${id} with nothing open after cancelling the modified order`,
  );
}

/** `modify` with only a quantity: 10 open, modify to 4 leaves 4 open at the old price; a cancel of what the ack names then leaves nothing open. */
export async function checkModifyQuantity(harness: ConformanceHarness): Promise<void> {
  const { request, ack } = await placeAccepted(harness);
  const id = ack.brokerOrderId;
  const ref = orderRefOf(request, ack);
  await findOrder(harness, id, (order) => order.remainingQuantity > 0, `order ${id} open`);
  const modifyAck = await harness.adapter.modifyOrder(ref, { quantity: 4 });
  expectRevisionAck(modifyAck, id, 'modify');
  await waitForFamily(
    harness,
    id,
    (rows) =>
      openOf(rows) === 4 &&
      rows.every((row) => row.remainingQuantity === 0 || row.limitPrice === harness.limitPrice),
    `order ${id} with 4 shares open at ${harness.limitPrice} after modify(quantity 4)`,
  );
  await harness.adapter.cancelOrder(refAfterModify(ref, modifyAck, 4, harness.limitPrice));
  await waitForFamily(
    harness,
    id,
    (rows) => openOf(rows) === 0,
    `order ${id} with nothing open after the cancel`,
  );
}

/** A cancel after a partial fill cancels only what is open: 3 filled stay filled, 7 canceled, nothing open. */
export async function checkCancelAfterPartialFill(harness: ConformanceHarness): Promise<void> {
  const { request, ack } = await placeAccepted(harness);
  const id = ack.brokerOrderId;
  await harness.fill(id, 3, harness.limitPrice);
  await findOrder(harness, id, (order) => order.filledQuantity === 3, `order ${id} with 3 filled`);
  const cancelAck = await harness.adapter.cancelOrder(orderRefOf(request, ack));
  expectRevisionAck(cancelAck, id, 'cancel');
  const order = await findOrder(
    harness,
    id,
    (found) => found.remainingQuantity === 0,
    `order ${id} with nothing open after the cancel`,
  );
  expect(order, `order ${id} after a cancel of the 7 open of 10 (3 filled)`).toMatchObject({
    filledQuantity: 3,
    canceledQuantity: request.quantity - 3,
    remainingQuantity: 0,
    status: 'canceled',
  });
}

/**
 * A cancel or modify of an order that filled meanwhile (the caller still thinks it open) fails
 * with code ORDER_NOT_OPEN (outcome rejected) whose `details` carry the fills.
 */
export async function checkRevisionOfFilledOrder(harness: ConformanceHarness): Promise<void> {
  const { request, ack } = await placeAccepted(harness);
  const id = ack.brokerOrderId;
  const ref = orderRefOf(request, ack);
  await harness.fill(id, request.quantity, harness.limitPrice);
  await findOrder(
    harness,
    id,
    (order) => order.filledQuantity === request.quantity,
    `order ${id} filled`,
  );
  const newPrice = harness.limitPrice - tickSize(harness.limitPrice, harness.productType);
  const attempts = [
    ['cancel', () => harness.adapter.cancelOrder(ref)],
    ['modify (price)', () => harness.adapter.modifyOrder(ref, { limitPrice: newPrice })],
    ['modify (quantity)', () => harness.adapter.modifyOrder(ref, { quantity: 4 })],
  ] as const;
  for (const [what, attempt] of attempts) {
    const error = await captureError(attempt, `${what} of a filled order`);
    expectQtsError(error, 'BrokerRejectedError', 'rejected');
    expect(error.code, `error code of the ${what} of a filled order`).toBe('ORDER_NOT_OPEN');
    expect(error.details?.filledQuantity, `filled quantity in the details of the ${what}`).toBe(
      request.quantity,
    );
  }
}

function divisionRequest(
  harness: ConformanceHarness,
  division: OrderDivision,
  venue: Venue,
): OrderRequest {
  const { limitPrice: _plain, ...plain } = conformanceOrderRequest(harness);
  const priced = ORDER_DIVISION_RULES[division].limitPrice === 'required';
  const request = {
    ...plain,
    ...orderDivisionParts(division),
    ...(priced ? { limitPrice: harness.limitPrice } : {}),
    ...(venue === 'KRX' ? {} : { venue }),
  };
  return request as OrderRequest;
}

function sameDivision(order: BrokerOrder, request: OrderRequest): Record<string, unknown> {
  return {
    type: order.type,
    priceCondition: order.priceCondition,
    executionCondition: order.executionCondition,
    session: order.session,
    venue: order.venue ?? 'KRX',
    expected: {
      type: request.type,
      priceCondition: request.priceCondition,
      executionCondition: request.executionCondition,
      session: request.session,
      venue: request.venue ?? 'KRX',
    },
  };
}

/**
 * Every order division and venue the adapter declares (`capabilities.orderOptions`) is sent once
 * and comes back from `getOrders` as the same division and venue; every division and venue it
 * does not declare is refused with InvalidOrderError before anything is sent. Divisions of the
 * KRX off-hours sessions are placed only when the harness can move the broker into their session
 * (`enterWindow`).
 */
export async function checkDeclaredOrderOptions(harness: ConformanceHarness): Promise<void> {
  const support =
    harness.adapter.capabilities.orderOptions ??
    defaultOrderOptionSupport(harness.adapter.capabilities.marketOrders);
  for (const division of ORDER_DIVISIONS) {
    const rule = ORDER_DIVISION_RULES[division];
    for (const venue of VENUES) {
      if (!rule.venues.includes(venue)) continue;
      const offered = support.divisions.includes(division) && support.venues.includes(venue);
      const before = await harness.placeRequests();
      const label = `${division} at ${venue}`;
      if (!offered) {
        const request = divisionRequest(harness, division, venue);
        const error = await captureError(
          () => harness.adapter.placeOrder(request),
          `placeOrder of an undeclared ${label}`,
        );
        expectQtsError(error, 'InvalidOrderError', 'not_placed');
        expect((await harness.placeRequests()) - before, `requests sent for ${label}`).toBe(0);
        continue;
      }
      const offHours = division.endsWith('-close') || division === 'after-hours-single';
      if (offHours) {
        if (harness.enterWindow === undefined) continue;
        await harness.enterWindow(division, venue);
      }
      const request = divisionRequest(harness, division, venue);
      const ack = await harness.adapter.placeOrder(request);
      expect(
        v.safeParse(OrderAckSchema, ack).issues?.map((issue) => issue.message) ?? [],
        `OrderAck schema issues for ${label}`,
      ).toEqual([]);
      expect((await harness.placeRequests()) - before, `requests sent for ${label}`).toBe(1);
      const order = await findOrder(
        harness,
        ack.brokerOrderId,
        () => true,
        `${label} order ${ack.brokerOrderId} in getOrders`,
      );
      const shown = sameDivision(order, request);
      const { expected, ...actual } = shown;
      expect(actual, `division and venue of ${label} as getOrders shows it`).toEqual(expected);
      if (!rule.rests) {
        expect(order.status, `${label} does not rest`).not.toBe('open');
      }
      if (harness.leaveWindow !== undefined && offHours) await harness.leaveWindow();
    }
  }
}

/** Every case of the suite, in the order `describeOrderAdapterConformance` runs them. */
export const ORDER_ADAPTER_CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'place-accepted',
    title: 'a limit order is accepted with a broker order number',
    needsNotices: false,
    run: checkLimitOrderAccepted,
  },
  {
    id: 'inquiry',
    title: 'a placed order appears in getOrders for its trading date',
    needsNotices: false,
    run: checkOrderAppearsInInquiry,
  },
  {
    id: 'cancel',
    title: 'cancel works and getOrders then shows the order canceled',
    needsNotices: false,
    run: checkCancelOrder,
  },
  {
    id: 'invalid-not-sent',
    title: 'an invalid request raises InvalidOrderError with zero broker requests',
    needsNotices: false,
    run: checkInvalidRequestsAreNotSent,
  },
  {
    id: 'broker-rejection',
    title: "a broker rejection raises BrokerRejectedError with the broker's code and message",
    needsNotices: false,
    run: checkBrokerRejection,
  },
  {
    id: 'timeout-unknown',
    title: 'a timeout after sending raises OutcomeUnknownError after exactly one send',
    needsNotices: false,
    run: checkTimeoutAfterSendIsUnknown,
  },
  {
    id: 'refused-not-placed',
    title: 'a refused connection raises RouteUnavailableError (not_placed)',
    needsNotices: false,
    run: checkRefusedConnectionIsNotPlaced,
  },
  {
    id: 'abort-before-send',
    title: 'a call with an aborted signal raises RouteUnavailableError (ABORTED) and sends nothing',
    needsNotices: false,
    run: checkAbortBeforeSendIsNotPlaced,
  },
  {
    id: 'fills-once',
    title:
      'fills reach a subscriber with cumulative quantities and a replayed notice changes nothing',
    needsNotices: true,
    run: checkFillsReachSubscriberOnce,
  },
  {
    id: 'modify-quantity-price',
    title:
      'modify with quantity and price leaves exactly the new remaining quantity open at the new price',
    needsNotices: false,
    needsModify: true,
    run: checkModifyQuantityAndPrice,
  },
  {
    id: 'modify-quantity',
    title: 'modify with a quantity only leaves exactly that many shares open at the old price',
    needsNotices: false,
    needsModify: true,
    run: checkModifyQuantity,
  },
  {
    id: 'cancel-after-partial-fill',
    title: 'a cancel after a partial fill cancels only what is open and keeps the fills',
    needsNotices: false,
    run: checkCancelAfterPartialFill,
  },
  {
    id: 'order-options',
    title:
      'every declared order division and venue round-trips through getOrders; undeclared ones are refused before sending',
    needsNotices: false,
    run: checkDeclaredOrderOptions,
  },
  {
    id: 'revision-of-filled-order',
    title:
      'cancel or modify of an order that filled meanwhile fails with ORDER_NOT_OPEN carrying the fills',
    needsNotices: false,
    needsModify: true,
    run: checkRevisionOfFilledOrder,
  },
];
