// The torture harness's invariant checks (torture/check.ts) on planted books: a clean round
// passes, and each planted violation is caught by its invariant.
import { describe, expect, it } from 'vitest';
import {
  type BrokerRow,
  checkRound,
  type JournalEventRow,
  type JournalOrder,
  type OpOutcome,
  type RoundFacts,
} from '../torture/check.js';

const order = (over: Partial<JournalOrder> = {}): JournalOrder => ({
  orderId: 'o-1',
  clientOrderId: 'c-1',
  brokerOrderId: '0000000001',
  status: 'accepted',
  symbol: '005930',
  side: 'buy',
  quantity: 1,
  price: 69900,
  type: 'limit',
  filledQuantity: 0,
  tradingDate: '20261207',
  modifyBrokerOrderId: null,
  cancelBrokerOrderId: null,
  linkedBrokerOrderIds: [],
  ...over,
});
const row = (over: Partial<BrokerRow> = {}): BrokerRow => ({
  orderNo: '0000000001',
  originalOrderNo: null,
  kind: 'order',
  symbol: '005930',
  side: 'buy',
  type: 'limit',
  quantity: 1,
  limitPrice: 69900,
  filledQuantity: 0,
  status: 'open',
  tradingDate: '20261207',
  ...over,
});
const op = (over: Partial<OpOutcome> = {}): OpOutcome => ({
  index: 0,
  kind: 'order',
  exit: 0,
  killed: false,
  force: false,
  clientOrderId: 'c-1',
  targetOrderId: null,
  printed: { orderId: 'o-1', brokerOrderId: '0000000001' },
  before: new Map(),
  deadInDoubtBefore: [],
  ...over,
});
const events = (...pairs: [string | null, string, number | null][]): JournalEventRow[] =>
  pairs.map(([from, to, filledQuantity], i) => ({
    seq: i + 1,
    orderId: 'o-1',
    from,
    to,
    filledQuantity,
    cause: 'x',
  }));
const clean: RoundFacts = {
  journal: [order()],
  events: events(
    [null, 'pending', 0],
    ['pending', 'submitted', null],
    ['submitted', 'accepted', null],
  ),
  broker: [row()],
  ops: [op()],
  reconciled: true,
};
const names = (facts: RoundFacts) => checkRound(facts).map((v) => v.invariant);

describe('torture invariants', () => {
  it('a clean round has no violation', () => {
    expect(checkRound(clean)).toEqual([]);
  });

  it('binding: a broker order no journal order owns (and none in doubt) is caught', () => {
    expect(names({ ...clean, broker: [row(), row({ orderNo: '0000000002' })] })).toContain(
      'binding',
    );
    // ...but not while an in-doubt order with the same fingerprint may own it.
    const doubt = order({
      orderId: 'o-2',
      clientOrderId: 'c-2',
      brokerOrderId: null,
      status: 'unknown',
    });
    expect(
      names({
        ...clean,
        journal: [order(), doubt],
        broker: [row(), row({ orderNo: '0000000002' })],
      }),
    ).toEqual([]);
  });

  it('binding: one broker order bound to two journal orders is caught', () => {
    const twin = order({ orderId: 'o-2', clientOrderId: 'c-2' });
    expect(names({ ...clean, journal: [order(), twin] })).toContain('binding');
  });

  it('binding: a modify the broker booked that the settled journal order does not know', () => {
    const modify = row({ orderNo: '0000000002', kind: 'modify', originalOrderNo: '0000000001' });
    expect(names({ ...clean, broker: [row(), modify] })).toContain('binding');
    // Known to the journal (linked), or still in doubt: fine.
    expect(
      names({
        ...clean,
        journal: [
          order({ linkedBrokerOrderIds: ['0000000002'], modifyBrokerOrderId: '0000000002' }),
        ],
        broker: [row(), modify],
      }),
    ).toEqual([]);
    expect(
      names({ ...clean, journal: [order({ status: 'modify_unknown' })], broker: [row(), modify] }),
    ).toEqual([]);
  });

  it('no-false-failure: failed while the broker has it (bound or not)', () => {
    expect(names({ ...clean, journal: [order({ status: 'failed' })], ops: [] })).toContain(
      'no-false-failure',
    );
    expect(
      names({ ...clean, journal: [order({ status: 'failed', brokerOrderId: null })], ops: [] }),
    ).toContain('no-false-failure');
  });

  it('no-regression: accepted -> failed, a terminal state changing, fills going down', () => {
    expect(names({ ...clean, events: events(['accepted', 'failed', null]) })).toContain(
      'no-regression',
    );
    expect(names({ ...clean, events: events(['filled', 'accepted', null]) })).toContain(
      'no-regression',
    );
    expect(
      names({
        ...clean,
        events: events([null, 'accepted', 2], ['accepted', 'partially_filled', 1]),
      }),
    ).toContain('no-regression');
  });

  it('honest-exit: exit 0 without a broker order, exit 1/2 while the broker has it', () => {
    expect(
      names({
        ...clean,
        journal: [order({ brokerOrderId: null, status: 'submitted' })],
        broker: [],
        ops: [op({ printed: { orderId: 'o-1', brokerOrderId: null } })],
      }),
    ).toContain('honest-exit');
    expect(names({ ...clean, ops: [op({ exit: 1, printed: null })] })).toContain('honest-exit');
    expect(
      names({
        ...clean,
        broker: [
          row(),
          row({ orderNo: '0000000002', kind: 'cancel', originalOrderNo: '0000000001' }),
        ],
        ops: [
          op(),
          op({ index: 1, kind: 'cancel', exit: 2, clientOrderId: null, targetOrderId: 'o-1' }),
        ],
      }),
    ).toContain('honest-exit');
    expect(
      names({
        ...clean,
        ops: [op(), op({ index: 1, kind: 'cancel', clientOrderId: null, targetOrderId: 'o-1' })],
      }),
    ).toContain('honest-exit');
  });

  it('no-second-order: a retry succeeding while a killed order of the same fingerprint was in doubt', () => {
    const dead = order({
      orderId: 'o-0',
      clientOrderId: 'c-0',
      brokerOrderId: null,
      status: 'submitted',
    });
    const facts: RoundFacts = {
      ...clean,
      journal: [dead, order()],
      broker: [row({ orderNo: '0000000000' }), row()],
      ops: [op({ deadInDoubtBefore: ['o-0'] })],
    };
    expect(names(facts)).toContain('no-second-order');
    // The same retry is fine when the broker never got the first one...
    expect(names({ ...facts, broker: [row()] })).toEqual([]);
    // ...or when the first was bound (reconciled) before the retry was journaled.
    const ev = (
      seq: number,
      orderId: string,
      from: string | null,
      to: string,
    ): JournalEventRow => ({
      seq,
      orderId,
      from,
      to,
      filledQuantity: null,
      cause: 'x',
    });
    const settledFirst = {
      ...facts,
      journal: [{ ...dead, status: 'accepted', brokerOrderId: '0000000000' }, order()],
      events: [
        ev(1, 'o-0', null, 'pending'),
        ev(2, 'o-0', 'pending', 'submitted'),
        ev(3, 'o-0', 'unknown', 'accepted'),
        ev(4, 'o-1', null, 'pending'),
      ],
    };
    expect(names(settledFirst)).toEqual([]);
    expect(
      names({
        ...settledFirst,
        events: [
          ev(1, 'o-0', null, 'pending'),
          ev(2, 'o-0', 'pending', 'submitted'),
          ev(4, 'o-1', null, 'pending'),
          ev(5, 'o-0', 'unknown', 'accepted'),
        ],
      }),
    ).toContain('no-second-order');
  });

  it('fills: journal and broker disagree once reconciled', () => {
    const facts = { ...clean, broker: [row({ filledQuantity: 1, status: 'filled' })] };
    expect(names(facts)).toContain('fills');
    expect(names({ ...facts, reconciled: false })).not.toContain('fills');
  });
});
