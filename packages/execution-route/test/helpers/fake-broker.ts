// A scripted broker for tests: an OrderAdapter whose book lives in SQLite (a file shared with a
// child process, or in memory). Test helper only; broker-virtual replaces it where it fits.
import {
  type AdapterCapabilities,
  type BrokerOrder,
  BrokerRejectedError,
  type OrderAck,
  type OrderAdapter,
  type OrderEvent,
  type OrderEventListener,
  OutcomeUnknownError,
  RouteUnavailableError,
  seoulDate,
} from '@qts/order-contract';
import Database from 'libsql';

export type FaultScript =
  | { kind: 'refuse' }
  | {
      kind: 'reject';
      brokerCode: string;
      brokerMessage: string;
      /** The contract code of the refusal (default BROKER_REJECTED). */
      code?: 'BROKER_REJECTED' | 'ORDER_NOT_OPEN' | 'REVISION_INCOMPLETE';
    }
  | { kind: 'rate-limit' }
  | { kind: 'timeout-after-accept' }
  | { kind: 'lost-before-book' }
  | { kind: 'reset-after-accept' }
  | { kind: 'hang-after-accept' }
  | { kind: 'raw-error-after-accept' };

export interface FakeBroker {
  readonly adapter: OrderAdapter;
  script(op: 'place' | 'cancel' | 'modify', fault: FaultScript): void;
  clearScripts(): void;
  /** Requests that reached the broker (refused connections excluded). */
  requests(op?: 'place' | 'cancel' | 'modify'): number;
  rows(tradingDate?: string): BrokerOrder[];
  fill(brokerOrderId: string, quantity: number, price: number): void;
  /** Books an order as if placed elsewhere (HTS, another process). */
  book(
    order: Omit<
      BrokerOrder,
      | 'brokerOrderId'
      | 'brokerBranch'
      | 'originalBrokerOrderId'
      | 'kind'
      | 'filledQuantity'
      | 'remainingQuantity'
      | 'canceledQuantity'
      | 'rejectedQuantity'
      | 'averagePrice'
      | 'status'
    >,
  ): string;
  emit(event: OrderEvent): void;
  replayLast(): void;
  loseConnection(reason?: string): void;
  failSubscribes(count: number): void;
  failInquiries(count: number): void;
  listeners(): number;
  close(): void;
}

export function createFakeBroker(
  options: { file?: string; clock?: () => number; notices?: boolean; modify?: boolean } = {},
): FakeBroker {
  const clock = options.clock ?? Date.now;
  const db = new Database(options.file ?? ':memory:');
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS book (
    no INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT, original TEXT, symbol TEXT, side TEXT, type TEXT,
    quantity INTEGER, price REAL, filled INTEGER, avg REAL, canceled INTEGER, rejected INTEGER,
    status TEXT, ordered_at TEXT, trading_date TEXT);
    CREATE TABLE IF NOT EXISTS requests (op TEXT);`);
  const scripts: Record<string, FaultScript[]> = { place: [], cancel: [], modify: [] };
  const listeners = new Set<OrderEventListener>();
  let last: OrderEvent | null = null;
  let subscribeFailures = 0;
  let inquiryFailures = 0;

  const number = (n: unknown) => String(n).padStart(10, '0');
  const emit = (event: OrderEvent) => {
    if (event.type !== 'connection-lost') last = event;
    for (const l of [...listeners]) l(event);
  };
  const insert = (row: {
    kind: string;
    original: string | null;
    symbol: string;
    side: string;
    type: string;
    quantity: number;
    price: number | null;
    orderedAt?: string;
    tradingDate?: string;
  }): string => {
    const at = row.orderedAt ?? new Date(clock()).toISOString();
    const result = db
      .prepare(
        `INSERT INTO book (kind, original, symbol, side, type, quantity, price, filled, avg, canceled, rejected, status, ordered_at, trading_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, 0, 0, 'open', ?, ?)`,
      )
      .run(
        row.kind,
        row.original,
        row.symbol,
        row.side,
        row.type,
        row.quantity,
        row.price,
        at,
        row.tradingDate ?? seoulDate(new Date(clock())),
      );
    return number(result.lastInsertRowid);
  };
  const rowOf = (no: string) =>
    db.prepare('SELECT * FROM book WHERE no = ?').get(Number(no)) as
      | Record<string, unknown>
      | undefined;
  const toBroker = (r: Record<string, unknown>): BrokerOrder => {
    const quantity = Number(r.quantity);
    const filled = Number(r.filled);
    const canceled = Number(r.canceled);
    const rejected = Number(r.rejected);
    return {
      brokerOrderId: number(r.no),
      brokerBranch: '06010',
      originalBrokerOrderId: r.original === null ? null : String(r.original),
      kind: r.kind as BrokerOrder['kind'],
      symbol: String(r.symbol),
      side: r.side as BrokerOrder['side'],
      type: r.type as BrokerOrder['type'],
      quantity,
      limitPrice: r.price === null ? null : Number(r.price),
      filledQuantity: filled,
      remainingQuantity: Math.max(0, quantity - filled - canceled - rejected),
      canceledQuantity: canceled,
      rejectedQuantity: rejected,
      averagePrice: r.avg === null ? null : Number(r.avg),
      status: r.status as BrokerOrder['status'],
      orderedAt: String(r.ordered_at),
      tradingDate: String(r.trading_date),
    };
  };
  const ack = (no: string, original: string | null): OrderAck => {
    const row = rowOf(no)!;
    return {
      brokerOrderId: no,
      brokerBranch: '06010',
      originalBrokerOrderId: original,
      acceptedAt: String(row.ordered_at),
      tradingDate: String(row.trading_date),
      brokerCode: '0',
      brokerMessage: '주문 전송 완료 되었습니다.',
    };
  };
  const never = () => new Promise<never>(() => {});

  async function run(
    op: 'place' | 'cancel' | 'modify',
    book: () => string,
    original: string | null,
  ): Promise<OrderAck> {
    const fault = scripts[op]!.shift();
    if (fault?.kind === 'refuse') throw new RouteUnavailableError('connect ECONNREFUSED 127.0.0.1');
    db.prepare('INSERT INTO requests (op) VALUES (?)').run(op);
    if (fault?.kind === 'reject') {
      throw new BrokerRejectedError(fault.code ?? 'BROKER_REJECTED', fault.brokerMessage, {
        brokerCode: fault.brokerCode,
        brokerMessage: fault.brokerMessage,
      });
    }
    if (fault?.kind === 'rate-limit') {
      throw new BrokerRejectedError('RATE_LIMITED', 'rate limited', {
        brokerCode: 'EGW00201',
        brokerMessage: '초당 거래건수를 초과하였습니다.',
      });
    }
    if (fault?.kind === 'lost-before-book') throw new OutcomeUnknownError('response timeout');
    const no = book();
    const row = rowOf(no)!;
    if (op === 'place') {
      emit({
        type: 'order-accepted',
        brokerOrderId: no,
        brokerBranch: '06010',
        symbol: String(row.symbol),
        side: row.side as 'buy',
        quantity: Number(row.quantity),
        limitPrice: row.price === null ? null : Number(row.price),
        at: String(row.ordered_at),
        source: 'notice',
      });
    }
    if (fault?.kind === 'timeout-after-accept') throw new OutcomeUnknownError('response timeout');
    if (fault?.kind === 'reset-after-accept') throw new OutcomeUnknownError('socket reset');
    if (fault?.kind === 'raw-error-after-accept')
      throw new TypeError('Unexpected end of JSON input');
    if (fault?.kind === 'hang-after-accept') return never();
    return ack(no, original);
  }

  const capabilities: AdapterCapabilities = {
    modify: options.modify ?? true,
    openOrderInquiry: true,
    notices: options.notices ?? true,
    balance: false,
    marketOrders: true,
  };
  const adapter: OrderAdapter = {
    specificationVersion: 'v1',
    name: 'fake',
    capabilities,
    placeOrder: (request) =>
      run(
        'place',
        () =>
          insert({
            kind: 'order',
            original: null,
            symbol: request.symbol,
            side: request.side,
            type: request.type,
            quantity: request.quantity,
            price: request.limitPrice ?? null,
          }),
        null,
      ),
    cancelOrder: (ref) =>
      run(
        'cancel',
        () => {
          const orig = rowOf(ref.brokerOrderId)!;
          const remaining = Number(orig.quantity) - Number(orig.filled) - Number(orig.canceled);
          const no = insert({
            kind: 'cancel',
            original: ref.brokerOrderId,
            symbol: ref.symbol,
            side: ref.side,
            type: ref.type,
            quantity: remaining,
            price: ref.limitPrice,
          });
          db.prepare("UPDATE book SET canceled = ?, status = 'canceled' WHERE no = ?").run(
            remaining,
            Number(ref.brokerOrderId),
          );
          db.prepare("UPDATE book SET status = 'filled', filled = quantity WHERE no = ?").run(
            Number(no),
          );
          emit({
            type: 'order-canceled',
            brokerOrderId: ref.brokerOrderId,
            cancelBrokerOrderId: no,
            canceledQuantity: remaining,
            at: new Date(clock()).toISOString(),
            source: 'notice',
          });
          return no;
        },
        ref.brokerOrderId,
      ),
    modifyOrder: (ref, change) =>
      run(
        'modify',
        () => {
          const orig = rowOf(ref.brokerOrderId)!;
          const remaining = Number(orig.quantity) - Number(orig.filled) - Number(orig.canceled);
          const quantity = change.quantity ?? remaining;
          const no = insert({
            kind: 'modify',
            original: ref.brokerOrderId,
            symbol: ref.symbol,
            side: ref.side,
            type: ref.type,
            quantity,
            price: change.limitPrice ?? ref.limitPrice,
          });
          db.prepare('UPDATE book SET canceled = ? WHERE no = ?').run(
            remaining,
            Number(ref.brokerOrderId),
          );
          return no;
        },
        ref.brokerOrderId,
      ),
    async getOrders(query) {
      if (inquiryFailures > 0) {
        inquiryFailures -= 1;
        throw new RouteUnavailableError('connect ECONNREFUSED 127.0.0.1');
      }
      return (
        db
          .prepare('SELECT * FROM book WHERE trading_date = ? ORDER BY no')
          .all(query.tradingDate) as Record<string, unknown>[]
      ).map(toBroker);
    },
    async subscribe(listener) {
      if (subscribeFailures > 0) {
        subscribeFailures -= 1;
        throw new RouteUnavailableError('websocket refused');
      }
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
  };
  return {
    adapter,
    script: (op, fault) => scripts[op]!.push(fault),
    clearScripts() {
      for (const list of Object.values(scripts)) list.length = 0;
    },
    requests: (op) =>
      Number(
        (
          db
            .prepare(
              op === undefined
                ? 'SELECT COUNT(*) AS n FROM requests'
                : 'SELECT COUNT(*) AS n FROM requests WHERE op = ?',
            )
            .get(...(op === undefined ? [] : [op])) as { n: number }
        ).n,
      ),
    rows: (tradingDate) =>
      (tradingDate === undefined
        ? (db.prepare('SELECT * FROM book ORDER BY no').all() as Record<string, unknown>[])
        : (db
            .prepare('SELECT * FROM book WHERE trading_date = ? ORDER BY no')
            .all(tradingDate) as Record<string, unknown>[])
      ).map(toBroker),
    fill(brokerOrderId, quantity, price) {
      const r = rowOf(brokerOrderId)!;
      const filled = Number(r.filled) + quantity;
      const avg =
        ((r.avg === null ? 0 : Number(r.avg)) * Number(r.filled) + price * quantity) / filled;
      const status = filled >= Number(r.quantity) ? 'filled' : 'partially_filled';
      db.prepare('UPDATE book SET filled = ?, avg = ?, status = ? WHERE no = ?').run(
        filled,
        avg,
        status,
        Number(brokerOrderId),
      );
      emit({
        type: 'order-filled',
        brokerOrderId,
        symbol: String(r.symbol),
        side: r.side as 'buy',
        filledQuantity: filled,
        averagePrice: avg,
        lastQuantity: quantity,
        lastPrice: price,
        at: new Date(clock()).toISOString(),
        source: 'notice',
      });
    },
    book: (o) =>
      insert({
        kind: 'order',
        original: null,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        quantity: o.quantity,
        price: o.limitPrice,
        orderedAt: o.orderedAt,
        tradingDate: o.tradingDate,
      }),
    emit,
    replayLast() {
      if (last !== null) emit(last);
    },
    loseConnection(reason = 'socket closed') {
      const lost: OrderEvent = {
        type: 'connection-lost',
        reason,
        at: new Date(clock()).toISOString(),
      };
      for (const l of [...listeners]) l(lost);
    },
    failSubscribes(count) {
      subscribeFailures = count;
    },
    failInquiries(count) {
      inquiryFailures = count;
    },
    listeners: () => listeners.size,
    close: () => db.close(),
  };
}
