import { InvalidOrderError, QtsError } from '@qts/order-contract';
import { pragmaValue } from '@qts/sqlite-store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteRefusedError, replayJournal } from '../src/index.js';
import { BUY, makeRig, type Rig } from './helpers/setup.js';

let rig: Rig;
afterEach(() => rig?.close());

describe.each(['memory', 'sqlite'] as const)('submit (%s journal)', (kind) => {
  it('accepts: pending -> submitted -> accepted, broker number kept, journal replays to the same state', async () => {
    rig = makeRig({ journal: kind });
    const { order, error } = await rig.route.submit({ ...BUY, intentId: 'a-1', note: 'test' });
    expect(error).toBeUndefined();
    expect(order).toMatchObject({
      status: 'accepted',
      brokerOrderId: '0000000001',
      brokerBranch: '06010',
      symbol: '005930',
      side: 'buy',
      quantity: 10,
      price: 70000,
      type: 'limit',
      mode: 'virtual',
      filledQuantity: 0,
      averagePrice: null,
      clientOrderId: 'a-1',
      tradingDate: '20261125',
      note: 'test',
    });
    expect(order.createdAt).toBe('2026-11-25T01:00:00.000Z');
    expect(rig.journal.events(order.orderId).map((e) => [e.from, e.to, e.cause])).toEqual([
      [null, 'pending', 'intent'],
      ['pending', 'submitted', 'send'],
      ['submitted', 'accepted', 'ack'],
    ]);
    expect(replayJournal(rig.journal.events())).toEqual(rig.journal.list());
    expect(JSON.parse(JSON.stringify(order))).toEqual(order);
  });

  it('refuses invalid intents before journaling or sending', async () => {
    rig = makeRig({ journal: kind });
    for (const bad of [
      { ...BUY, limitPrice: 70050 },
      { ...BUY, quantity: 0 },
      { ...BUY, symbol: 'abc' },
      { ...BUY, type: 'market' },
      { ...BUY, intentId: '' },
      { ...BUY, note: 5 },
      null,
    ]) {
      await expect(rig.route.submit(bad)).rejects.toBeInstanceOf(InvalidOrderError);
    }
    expect(rig.journal.list()).toEqual([]);
    expect(rig.broker.requests()).toBe(0);
  });

  it('the same intent id never yields a second order', async () => {
    rig = makeRig({ journal: kind });
    const first = await rig.route.submit({ ...BUY, intentId: 'same' });
    const [a, b] = await Promise.all([
      rig.route.submit({ ...BUY, intentId: 'same' }),
      rig.route.submit({ ...BUY, intentId: 'same' }),
    ]);
    expect(a.order.orderId).toBe(first.order.orderId);
    expect(b.order.orderId).toBe(first.order.orderId);
    expect(a.replayed).toBe(true);
    expect(rig.broker.requests('place')).toBe(1);
    const conflict = await rig.route
      .submit({ ...BUY, quantity: 11, intentId: 'same' })
      .catch((e) => e);
    expect(conflict).toBeInstanceOf(RouteRefusedError);
    expect(conflict).toMatchObject({
      code: 'CONFIG',
      outcome: 'not_placed',
      reason: 'INTENT_ID_CONFLICT',
    });
    expect(rig.broker.requests('place')).toBe(1);
  });

  it('the same intent id sent concurrently reaches the broker once', async () => {
    rig = makeRig({ journal: kind });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => rig.route.submit({ ...BUY, intentId: 'race' })),
    );
    expect(new Set(results.map((r) => r.order.orderId)).size).toBe(1);
    expect(rig.broker.requests('place')).toBe(1);
  });
});

describe('fault matrix (zero duplicate, zero lost orders)', () => {
  const cases = [
    {
      fault: { kind: 'refuse' },
      status: 'failed',
      code: 'ROUTE_UNAVAILABLE',
      outcome: 'not_placed',
      booked: 0,
    },
    {
      fault: { kind: 'reject', brokerCode: 'APBK0919', brokerMessage: '장운영시간이 아닙니다.' },
      status: 'rejected',
      code: 'BROKER_REJECTED',
      outcome: 'rejected',
      booked: 0,
    },
    {
      fault: { kind: 'rate-limit' },
      status: 'rejected',
      code: 'RATE_LIMITED',
      outcome: 'rejected',
      booked: 0,
    },
    {
      fault: { kind: 'timeout-after-accept' },
      status: 'unknown',
      code: 'OUTCOME_UNKNOWN',
      outcome: 'unknown',
      booked: 1,
    },
    {
      fault: { kind: 'reset-after-accept' },
      status: 'unknown',
      code: 'OUTCOME_UNKNOWN',
      outcome: 'unknown',
      booked: 1,
    },
    {
      fault: { kind: 'raw-error-after-accept' },
      status: 'unknown',
      code: 'OUTCOME_UNKNOWN',
      outcome: 'unknown',
      booked: 1,
    },
  ] as const;
  it.each(cases)(
    '$fault.kind -> $status ($code)',
    async ({ fault, status, code, outcome, booked }) => {
      rig = makeRig({ journal: 'sqlite' });
      rig.broker.script('place', fault);
      const result = await rig.route.submit(BUY);
      expect(result.order.status).toBe(status);
      expect(result.error).toBeInstanceOf(QtsError);
      expect(result.error).toMatchObject({ code, outcome });
      expect(result.order.error).toMatchObject({ code, outcome });
      if (fault.kind === 'reject') {
        expect(result.order.error).toMatchObject({
          brokerCode: 'APBK0919',
          brokerMessage: '장운영시간이 아닙니다.',
        });
      }
      expect(rig.broker.rows()).toHaveLength(booked);
      // never resent
      expect(rig.broker.requests('place')).toBe(fault.kind === 'refuse' ? 0 : 1);
      if (status === 'unknown') {
        // a retry of the same fingerprint is refused (exit 2) unless forced
        const retry = await rig.route.submit(BUY).catch((e) => e);
        expect(retry).toMatchObject({
          reason: 'UNKNOWN_ORDER_FINGERPRINT',
          code: 'CONFIG',
          outcome: 'not_placed',
        });
        expect(rig.broker.requests('place')).toBe(1);
        // reconciliation binds the one broker order: zero lost
        rig.clock.now += 1000;
        const changes = await rig.route.reconcile();
        expect(changes).toEqual([
          {
            orderId: result.order.orderId,
            from: 'unknown',
            to: 'accepted',
            reason: 'broker inquiry shows order 0000000001',
          },
        ]);
        expect(rig.route.order(result.order.orderId)?.brokerOrderId).toBe('0000000001');
        const forced = await rig.route.submit(BUY, { force: true });
        expect(forced.order.status).toBe('accepted');
      }
      // every broker order is owned by exactly one journal order
      for (const row of rig.broker.rows()) {
        expect(rig.journal.getByBrokerOrderId(row.brokerOrderId)).not.toBeNull();
      }
    },
  );

  it('duplicate and replayed notices change nothing; fills only grow', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const ac = new AbortController();
    const watching = rig.route.watch({ signal: ac.signal, sleep: undefined } as never);
    const { order } = await rig.route.submit(BUY);
    rig.broker.fill(order.brokerOrderId!, 4, 70000);
    const afterFill = rig.journal.events().length;
    rig.broker.replayLast();
    rig.broker.replayLast();
    rig.broker.emit({
      type: 'order-filled',
      brokerOrderId: order.brokerOrderId!,
      symbol: '005930',
      side: 'buy',
      filledQuantity: 2,
      averagePrice: 70000,
      lastQuantity: 2,
      lastPrice: 70000,
      at: '2026-11-25T01:00:00.000Z',
      source: 'inquiry',
    });
    expect(rig.journal.events().length).toBe(afterFill);
    rig.broker.fill(order.brokerOrderId!, 6, 70000);
    expect(rig.route.order(order.orderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 10,
      averagePrice: 70000,
    });
    ac.abort();
    await watching;
  });
});

describe('cancel and modify', () => {
  it('cancel: pending_cancel -> canceled with the cancel number linked', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    const result = await rig.route.cancel(order.orderId);
    expect(result.error).toBeUndefined();
    expect(result.order).toMatchObject({
      status: 'canceled',
      cancelBrokerOrderId: '0000000002',
      linkedBrokerOrderIds: ['0000000002'],
    });
    expect(rig.journal.events(order.orderId).map((e) => e.to)).toEqual([
      'pending',
      'submitted',
      'accepted',
      'pending_cancel',
      'canceled',
    ]);
  });

  it('cancel timeout -> cancel_unknown; reconcile settles it from the inquiry', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    rig.broker.script('cancel', { kind: 'timeout-after-accept' });
    const result = await rig.route.cancel(order.orderId);
    expect(result.order.status).toBe('cancel_unknown');
    expect(result.error?.outcome).toBe('unknown');
    const changes = await rig.route.reconcile();
    expect(changes.map((c) => [c.from, c.to])).toEqual([['cancel_unknown', 'canceled']]);
    expect(rig.route.order(order.orderId)?.cancelBrokerOrderId).toBe('0000000002');
  });

  it('cancel refused connection -> back to accepted with the error; cancel rejected likewise', async () => {
    rig = makeRig();
    const { order } = await rig.route.submit(BUY);
    rig.broker.script('cancel', { kind: 'refuse' });
    const refused = await rig.route.cancel(order.orderId);
    expect(refused.order.status).toBe('accepted');
    expect(refused.error?.code).toBe('ROUTE_UNAVAILABLE');
    rig.broker.script('cancel', {
      kind: 'reject',
      brokerCode: 'APBK1234',
      brokerMessage: '취소불가',
    });
    const rejected = await rig.route.cancel(order.orderId);
    expect(rejected.order).toMatchObject({ status: 'accepted', error: { brokerCode: 'APBK1234' } });
  });

  it('refuses cancel of unknown ids and of orders without a broker number', async () => {
    rig = makeRig();
    await expect(rig.route.cancel('nope')).rejects.toMatchObject({ reason: 'UNKNOWN_ORDER_ID' });
    rig.broker.script('place', { kind: 'timeout-after-accept' });
    const { order } = await rig.route.submit(BUY);
    await expect(rig.route.cancel(order.orderId)).rejects.toMatchObject({
      reason: 'ORDER_NOT_CANCELABLE',
    });
    expect(rig.broker.requests('cancel')).toBe(0);
  });

  it('modify: price and remaining quantity, new number linked; later fills on it count', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { order } = await rig.route.submit(BUY);
    rig.broker.fill(order.brokerOrderId!, 2, 70000);
    await rig.route.reconcile();
    const result = await rig.route.modify(order.orderId, { limitPrice: 70100, quantity: 5 });
    expect(result.order).toMatchObject({
      status: 'partially_filled',
      price: 70100,
      quantity: 7,
      modifyBrokerOrderId: '0000000002',
      filledQuantity: 2,
    });
    rig.broker.fill('0000000002', 5, 70100);
    await rig.route.reconcile();
    expect(rig.route.order(order.orderId)).toMatchObject({ status: 'filled', filledQuantity: 7 });
    await expect(rig.route.modify(order.orderId, { limitPrice: 70050 })).rejects.toMatchObject({
      reason: 'ORDER_NOT_MODIFIABLE',
    });
  });

  it('modify with an off-tick price is invalid; modify timeout -> modify_unknown', async () => {
    rig = makeRig();
    const { order } = await rig.route.submit(BUY);
    await expect(rig.route.modify(order.orderId, { limitPrice: 70050 })).rejects.toBeInstanceOf(
      InvalidOrderError,
    );
    rig.broker.script('modify', { kind: 'timeout-after-accept' });
    const result = await rig.route.modify(order.orderId, { limitPrice: 70100 });
    expect(result.order.status).toBe('modify_unknown');
    const changes = await rig.route.reconcile();
    expect(changes.map((c) => c.to)).toContain('accepted');
    expect(rig.route.order(order.orderId)).toMatchObject({
      price: 70100,
      modifyBrokerOrderId: '0000000002',
    });
  });
});

describe('journal', () => {
  it('sqlite journal refuses a file of another mode/host/account', async () => {
    const { createSqliteJournal, journalPath } = await import('../src/index.js');
    rig = makeRig();
    const file = journalPath(rig.dir, {
      mode: 'paper',
      host: '127.0.0.1:9443',
      account: '12345678-01',
    });
    expect(file).toMatch(/orders-paper-127\.0\.0\.1_9443-[0-9a-f]{12}\.sqlite$/);
    expect(file).not.toContain('12345678');
    createSqliteJournal({
      file,
      mode: 'paper',
      host: '127.0.0.1:9443',
      account: '12345678-01',
    }).close();
    expect(() =>
      createSqliteJournal({ file, mode: 'real', host: '127.0.0.1:9443', account: '12345678-01' }),
    ).toThrow(/another mode/);
    expect(() =>
      createSqliteJournal({ file, mode: 'paper', host: '127.0.0.1:9443', account: '99999999-01' }),
    ).toThrow(/another account/);
  });

  it('sqlite journal: WAL, FULL, user_version, state survives reopen', async () => {
    const { createSqliteJournal, JOURNAL_SCHEMA_VERSION } = await import('../src/index.js');
    const Database = (await import('libsql')).default;
    rig = makeRig();
    const file = `${rig.dir}/x.sqlite`;
    const key = { file, mode: 'virtual', host: 'virtual', account: 'a' } as const;
    const j = createSqliteJournal(key);
    const { createExecutionRoute } = await import('../src/index.js');
    const route = createExecutionRoute({
      adapter: rig.broker.adapter,
      journal: j,
      mode: 'virtual',
    });
    const { order } = await route.submit(BUY);
    j.close();
    const db = new Database(file);
    expect(pragmaValue(db, 'journal_mode')).toBe('wal');
    expect(pragmaValue(db, 'user_version')).toBe(JOURNAL_SCHEMA_VERSION);
    db.close();
    const again = createSqliteJournal(key);
    expect(again.get(order.orderId)).toEqual(order);
    expect(replayJournal(again.events())).toEqual(again.list());
    again.close();
  });
});

describe('recovery of requests left in flight by a dead process', () => {
  it('pending_cancel -> cancel_unknown, then reconciled; pending_modify -> modify_unknown', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { createExecutionRoute } = await import('../src/index.js');
    const a = await rig.route.submit(BUY);
    const b = await rig.route.submit({ ...BUY, quantity: 5 });
    rig.broker.script('cancel', { kind: 'hang-after-accept' });
    void rig.route.cancel(a.order.orderId); // never answers: the "process" dies here
    rig.broker.script('modify', { kind: 'hang-after-accept' });
    void rig.route.modify(b.order.orderId, { limitPrice: 70100 });
    await new Promise((r) => setImmediate(r));
    expect(rig.route.order(a.order.orderId)?.status).toBe('pending_cancel');
    const restarted = createExecutionRoute({
      adapter: rig.broker.adapter,
      journal: rig.journal,
      mode: 'virtual',
      clock: () => rig.clock.now,
      ownerAlive: () => false,
    });
    expect(restarted.recovered.map((c) => [c.orderId, c.to])).toEqual([
      [a.order.orderId, 'cancel_unknown'],
      [b.order.orderId, 'modify_unknown'],
    ]);
    await restarted.reconcile();
    expect(restarted.order(a.order.orderId)).toMatchObject({
      status: 'canceled',
      cancelBrokerOrderId: '0000000003',
    });
    expect(restarted.order(b.order.orderId)).toMatchObject({
      status: 'accepted',
      price: 70100,
      modifyBrokerOrderId: '0000000004',
    });
    expect(rig.broker.requests('cancel')).toBe(1);
    expect(rig.broker.requests('modify')).toBe(1);
  });

  it("a live owner's in-flight records are left alone", async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { createExecutionRoute } = await import('../src/index.js');
    rig.broker.script('place', { kind: 'hang-after-accept' });
    void rig.route.submit(BUY);
    await new Promise((r) => setImmediate(r));
    const other = createExecutionRoute({
      adapter: rig.broker.adapter,
      journal: rig.journal,
      mode: 'virtual',
    });
    expect(other.recovered).toEqual([]);
    expect(other.orders().map((o) => o.status)).toEqual(['submitted']);
    expect(await other.reconcile()).toEqual([]);
    expect(other.orders().map((o) => o.status)).toEqual(['submitted']);
  });
});

describe('a journal that fails after the send', () => {
  it('reports outcome unknown (never "not sent") and leaves the order submitted', async () => {
    rig = makeRig();
    const { createExecutionRoute } = await import('../src/index.js');
    const journal = rig.journal;
    const failing = {
      ...journal,
      update(
        orderId: string,
        patch: Parameters<typeof journal.update>[1],
        entry: Parameters<typeof journal.update>[2],
      ) {
        if (entry.cause === 'ack') throw new Error('disk I/O error');
        return journal.update(orderId, patch, entry);
      },
    };
    const route = createExecutionRoute({
      adapter: rig.broker.adapter,
      journal: failing,
      mode: 'virtual',
    });
    const result = await route.submit(BUY);
    expect(result.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    expect(result.order.status).toBe('submitted');
    expect(rig.broker.rows()).toHaveLength(1);
  });
});

describe('replayed intents', () => {
  it("carry the first answer's error (rejected, unknown) and send nothing", async () => {
    rig = makeRig();
    rig.broker.script('place', {
      kind: 'reject',
      brokerCode: 'APBK0952',
      brokerMessage: '주문가능금액을 초과 했습니다',
    });
    const first = await rig.route.submit({ ...BUY, intentId: 'r-1' });
    const again = await rig.route.submit({ ...BUY, intentId: 'r-1' });
    expect(again).toMatchObject({
      replayed: true,
      order: { orderId: first.order.orderId, status: 'rejected' },
    });
    expect(again.error).toMatchObject({
      code: 'BROKER_REJECTED',
      outcome: 'rejected',
      brokerCode: 'APBK0952',
    });
    rig.broker.script('place', { kind: 'timeout-after-accept' });
    await rig.route.submit({ ...BUY, quantity: 2, intentId: 'u-1' });
    const unknown = await rig.route.submit({ ...BUY, quantity: 2, intentId: 'u-1' });
    expect(unknown.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    expect(rig.broker.requests('place')).toBe(2);
  });

  it('a replay while the first send has no answer yet is an unknown outcome, never a success', async () => {
    rig = makeRig();
    rig.broker.script('place', { kind: 'hang-after-accept' });
    const controller = new AbortController();
    const first = rig.route.submit({ ...BUY, intentId: 'h-1' }, { signal: controller.signal });
    first.catch(() => undefined);
    await vi.waitFor(() => expect(rig.broker.requests('place')).toBe(1));
    const again = await rig.route.submit({ ...BUY, intentId: 'h-1' });
    expect(again.replayed).toBe(true);
    expect(['pending', 'submitted']).toContain(again.order.status);
    expect(again.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    expect(again.error?.message).toMatch(/Nothing new was sent/);
    expect(rig.broker.requests('place')).toBe(1);
    controller.abort();
  });
});

describe('adapter answers are validated', () => {
  it('an ack that does not validate -> unknown (INVALID_BROKER_RESPONSE); an invalid inquiry decides nothing', async () => {
    rig = makeRig();
    const inner = rig.broker.adapter.placeOrder;
    rig.broker.adapter.placeOrder = async (request, options) => {
      const ack = await inner(request, options);
      return { ...ack, brokerOrderId: '' };
    };
    const result = await rig.route.submit(BUY);
    expect(result.order.status).toBe('unknown');
    expect(result.error).toMatchObject({ code: 'INVALID_BROKER_RESPONSE', outcome: 'unknown' });
    rig.broker.adapter.getOrders = async () => [{ nonsense: true }] as never;
    rig.clock.now += 10 * 60_000;
    const before = rig.journal.events().length;
    await expect(rig.route.reconcile()).rejects.toMatchObject({ code: 'INVALID_BROKER_RESPONSE' });
    expect(rig.journal.events().length).toBe(before);
    expect(rig.route.order(result.order.orderId)?.status).toBe('unknown');
  });
});

describe('owner liveness', () => {
  it('a record of our own pid written by a previous process (same pid, other token) is recovered', async () => {
    rig = makeRig({ journal: 'sqlite' });
    const { createExecutionRoute } = await import('../src/index.js');
    rig.broker.script('place', { kind: 'hang-after-accept' });
    void rig.route.submit(BUY);
    await new Promise((r) => setImmediate(r));
    const id = rig.route.orders()[0]!.orderId;
    // as if a previous process with our pid left it: rewrite the owner token
    rig.journal.update(
      id,
      {},
      { at: new Date().toISOString(), cause: 'test', owner: `${process.pid}:deadbeef0000` },
    );
    const restarted = createExecutionRoute({
      adapter: rig.broker.adapter,
      journal: rig.journal,
      mode: 'virtual',
    });
    expect(restarted.recovered.map((c) => c.to)).toEqual(['unknown']);
  });
});

describe('journal schema versions', () => {
  it('migrates an empty file to the current version and refuses a newer one', async () => {
    const { createSqliteJournal, JOURNAL_SCHEMA_VERSION } = await import('../src/index.js');
    const Database = (await import('libsql')).default;
    rig = makeRig();
    const file = `${rig.dir}/v.sqlite`;
    const key = { file, mode: 'virtual', host: 'virtual', account: 'a' } as const;
    createSqliteJournal(key).close();
    createSqliteJournal(key).close(); // reopening does not migrate twice
    const db = new Database(file);
    expect(pragmaValue(db, 'user_version')).toBe(JOURNAL_SCHEMA_VERSION);
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => createSqliteJournal(key)).toThrow(/schema version 99, newer than this QTS/);
  });
});
