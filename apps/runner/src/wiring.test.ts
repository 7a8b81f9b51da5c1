import type { Order } from '@qts/execution-route';
import { describe, expect, it } from 'vitest';
import { CliFailure } from './failure.js';
import { resolveOrder, waitingCannotFix } from './wiring.js';

describe('order ids', () => {
  const order = (orderId: string, brokerOrderId: string | null, tradingDate: string): Order =>
    ({
      orderId,
      brokerOrderId,
      modifyBrokerOrderId: null,
      cancelBrokerOrderId: null,
      linkedBrokerOrderIds: [],
      tradingDate,
      side: 'buy',
      symbol: '005930',
      quantity: 1,
      status: 'accepted',
    }) as unknown as Order;
  const orders = [
    order('o-0mxb-aaa1', '0000000007', '20261206'),
    order('o-0mxb-aab2', '0000000008', '20261206'),
    order('o-0mxc-ccc3', '0000000009', '20261205'),
  ];
  const route = {
    order: (id: string) => orders.find((o) => o.orderId === id) ?? null,
    orders: () => orders,
  };

  it('the full id, a unique prefix, or a broker number of today (leading zeros optional)', () => {
    expect(resolveOrder(route, 'o-0mxb-aaa1', '20261206')?.orderId).toBe('o-0mxb-aaa1');
    expect(resolveOrder(route, 'o-0mxb-aaa', '20261206')?.orderId).toBe('o-0mxb-aaa1');
    expect(resolveOrder(route, 'o-0mxc', '20261206')?.orderId).toBe('o-0mxc-ccc3');
    expect(resolveOrder(route, '8', '20261206')?.orderId).toBe('o-0mxb-aab2');
    expect(resolveOrder(route, '0000000008', '20261206')?.orderId).toBe('o-0mxb-aab2');
    // a broker number of another trading date is not today's
    expect(resolveOrder(route, '9', '20261206')).toBeNull();
    expect(resolveOrder(route, 'o-zzz', '20261206')).toBeNull();
  });

  it('an ambiguous prefix is exit 2 listing the candidates', () => {
    let thrown: unknown;
    try {
      resolveOrder(route, 'o-0mxb', '20261206');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliFailure);
    const failure = thrown as CliFailure;
    expect(failure.exitCode).toBe(2);
    expect(failure.json.code).toBe('AMBIGUOUS_ORDER_ID');
    expect(failure.json.hint).toContain('o-0mxb-aaa1');
    expect(failure.json.hint).toContain('o-0mxb-aab2');
    expect(failure.json.hint).not.toContain('o-0mxc-ccc3');
  });
});

describe('what stops qts watch', () => {
  const tokenRefused = (fields: Record<string, unknown>) =>
    Object.assign(new Error('KIS refused /oauth2/tokenP'), {
      code: 'KIS_AUTH',
      errorCode: 'EGW00103',
      errorDescription: 'invalid AppSecret',
      httpStatus: 403,
      retryAt: null,
      ...fields,
    });

  it('refused credentials and configuration: waiting cannot fix them', () => {
    expect(waitingCannotFix(tokenRefused({}))).toBe(true);
    expect(waitingCannotFix(Object.assign(new Error('no HTS id'), { code: 'KIS_CONFIG' }))).toBe(
      true,
    );
  });

  it('a rate limit (one token a minute), also when wrapped, and no connection: waiting can', () => {
    const limited = tokenRefused({ errorCode: 'EGW00133', retryAt: '2026-12-06T05:54:40.039Z' });
    expect(waitingCannotFix(limited)).toBe(false);
    const wrapped = Object.assign(new Error('KIS notices: approval key'), {
      code: 'AUTH',
      outcome: 'rejected',
      cause: limited,
    });
    expect(waitingCannotFix(wrapped)).toBe(false);
    const unreachable = tokenRefused({ errorCode: null, httpStatus: null });
    expect(waitingCannotFix(unreachable)).toBe(false);
  });
});
