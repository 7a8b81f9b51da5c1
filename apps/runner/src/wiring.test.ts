import type { Order } from '@qts/execution-route';
import { BrokerRejectedError, ConfigError, RouteUnavailableError } from '@qts/order-contract';
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
  it('refused credentials and configuration: waiting cannot fix them', () => {
    const refused = new BrokerRejectedError('AUTH', 'KIS access token: refused', {
      brokerCode: 'EGW00103',
    });
    expect(waitingCannotFix(refused)).toBe(true);
    expect(waitingCannotFix(new ConfigError('no HTS id'))).toBe(true);
  });

  it('a rate limit (one token a minute), also when wrapped, and no connection: waiting can', () => {
    const limited = new BrokerRejectedError('RATE_LIMITED', 'KIS access token: EGW00133', {
      brokerCode: 'EGW00133',
    });
    expect(waitingCannotFix(limited)).toBe(false);
    const wrapped = new BrokerRejectedError('AUTH', 'KIS notices: approval key', {
      cause: limited,
    });
    expect(waitingCannotFix(wrapped)).toBe(false);
    expect(waitingCannotFix(new RouteUnavailableError('KIS access token: unreachable'))).toBe(
      false,
    );
  });
});
