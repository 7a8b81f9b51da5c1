import { describe, expect, it } from 'vitest';
import {
  defaultOrderOptionSupport,
  ORDER_DIVISION_RULES,
  ORDER_DIVISIONS,
  orderDivisionOf,
  orderDivisionParts,
  revisionIssue,
  unsupportedOrderOptions,
  validateOrderDivision,
} from './order-division.js';
import { validateOrderRequest } from './validate-order-request.js';

const base = { clientOrderId: 'c-1', symbol: '005930', side: 'buy', quantity: 3 } as const;

function requestFor(division: (typeof ORDER_DIVISIONS)[number], venue?: string) {
  const parts = orderDivisionParts(division);
  const priced = ORDER_DIVISION_RULES[division].limitPrice === 'required';
  return {
    ...base,
    ...parts,
    ...(priced ? { limitPrice: 70_000 } : {}),
    ...(venue === undefined ? {} : { venue }),
  };
}

describe('order divisions', () => {
  it('every division round-trips through its request fields', () => {
    for (const division of ORDER_DIVISIONS) {
      expect(orderDivisionOf(orderDivisionParts(division))).toBe(division);
    }
  });

  it('a plain v1.0 request is a limit or market division on KRX', () => {
    expect(orderDivisionOf({ type: 'limit' })).toBe('limit');
    expect(orderDivisionOf({ type: 'market' })).toBe('market');
    expect(validateOrderRequest({ ...base, type: 'limit', limitPrice: 70_000 })).toEqual([]);
  });

  it('each division is valid with exactly its price rule at every venue that takes it', () => {
    for (const division of ORDER_DIVISIONS) {
      for (const venue of ORDER_DIVISION_RULES[division].venues) {
        expect(validateOrderRequest(requestFor(division, venue)), `${division}@${venue}`).toEqual(
          [],
        );
      }
    }
  });

  it('a price on an exchange-priced division, or none on a priced one, is refused', () => {
    const best = validateOrderRequest({ ...requestFor('best'), limitPrice: 70_000 });
    expect(best.map((i) => i.code)).toEqual(['price-forbidden']);
    expect(best[0]?.message).toContain('최유리지정가');
    const single = validateOrderRequest({
      ...requestFor('after-hours-single'),
      limitPrice: undefined,
    });
    expect(single.map((i) => i.code)).toEqual(['price-missing']);
    expect(single[0]?.message).toContain('after-hours-single');
  });

  it('combinations no exchange offers are refused with a message that says what goes together', () => {
    const cases = [
      { type: 'limit', priceCondition: 'conditional', executionCondition: 'ioc' },
      { type: 'limit', priceCondition: 'priority', executionCondition: 'fok' },
      { type: 'market', priceCondition: 'best' },
      { type: 'limit', session: 'pre', executionCondition: 'ioc' },
      { type: 'market', session: 'post' },
    ];
    for (const fields of cases) {
      const issues = validateOrderDivision(fields);
      expect(
        issues.map((i) => i.code),
        JSON.stringify(fields),
      ).toEqual(['division-unknown']);
      expect(orderDivisionOf(fields)).toBeNull();
    }
  });

  it('unknown values are refused field by field', () => {
    const issues = validateOrderDivision({
      type: 'limit',
      priceCondition: 'cheapest',
      executionCondition: 'gtc',
      session: 'night',
      venue: 'NYSE',
    });
    expect(issues.map((i) => i.field)).toEqual([
      'priceCondition',
      'executionCondition',
      'session',
      'venue',
    ]);
  });

  it('a venue that does not take a division is named with the venues that do', () => {
    const nxtMarket = validateOrderDivision({ type: 'market', venue: 'NXT' });
    expect(nxtMarket.map((i) => i.code)).toEqual(['venue-not-offered']);
    expect(nxtMarket[0]?.message).toContain('"KRX", "SOR"');
    expect(validateOrderDivision({ type: 'limit', session: 'single', venue: 'SOR' })[0]?.code).toBe(
      'venue-not-offered',
    );
    expect(
      validateOrderDivision({ type: 'limit', priceCondition: 'conditional', venue: 'NXT' }),
    ).toHaveLength(1);
  });

  it('a venue that does not take a division leaves its price rule in force (no "price missing" for an exchange-priced division)', () => {
    const issues = validateOrderRequest({
      clientOrderId: 'a',
      symbol: '005930',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      session: 'pre',
      venue: 'NXT',
    });
    expect(issues.map((i) => i.code)).toEqual(['venue-not-offered']);
  });

  it('an adapter that says nothing offers limit (and market) on KRX only', () => {
    const support = defaultOrderOptionSupport(true);
    expect(unsupportedOrderOptions(support, { type: 'market' }, 'virtual')).toEqual([]);
    const ioc = unsupportedOrderOptions(
      support,
      { type: 'limit', executionCondition: 'ioc', venue: 'NXT' },
      'kis (paper)',
    );
    expect(ioc.map((i) => i.code)).toEqual(['division-not-supported', 'venue-not-supported']);
    expect(ioc[0]?.message).toContain('kis (paper) does not offer ioc-limit');
    expect(ioc[0]?.message).toContain('Nothing was sent');
    expect(
      unsupportedOrderOptions(defaultOrderOptionSupport(false), { type: 'market' }, 'x'),
    ).toHaveLength(1);
  });

  it('IOC and FOK orders cannot be revised; exchange-priced orders take no new price', () => {
    expect(
      revisionIssue({ type: 'limit', executionCondition: 'ioc' }, { kind: 'cancel' })?.code,
    ).toBe('order-does-not-rest');
    expect(
      revisionIssue({ type: 'market', executionCondition: 'fok' }, { kind: 'modify' })?.code,
    ).toBe('order-does-not-rest');
    expect(
      revisionIssue(
        { type: 'limit', priceCondition: 'best' },
        { kind: 'modify', limitPrice: 70_000 },
      )?.code,
    ).toBe('price-set-by-exchange');
    expect(revisionIssue({ type: 'limit', priceCondition: 'best' }, { kind: 'modify' })).toBeNull();
    expect(
      revisionIssue({ type: 'limit', session: 'single' }, { kind: 'modify', limitPrice: 70_000 }),
    ).toBeNull();
    expect(revisionIssue({ type: 'limit' }, { kind: 'cancel' })).toBeNull();
  });
});
