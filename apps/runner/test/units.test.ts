// The pure pieces behind the newcomer path, on source: how hints name the command, how message
// and hint are joined, KRX hours, order-id resolution, watch columns.
import type { Order } from '@qts/execution-route';
import { describe, expect, it } from 'vitest';
import { watchRow } from '../src/commands/watch.js';
import { CliFailure } from '../src/failure.js';
import { cliPrefix, pasteable, pasteableHelp } from '../src/invocation.js';
import { krxSession } from '../src/market-hours.js';
import { sentences, trimLines } from '../src/text.js';
import { resolveOrder, waitingCannotFix } from '../src/wiring.js';

const PNPM = 'pnpm/12.4.2 npm/? node/? linux x64';

describe('the command hints name', () => {
  it.each([
    [{}, 'qts'],
    [{ npm_config_user_agent: PNPM, PNPM_PACKAGE_NAME: 'qts' }, 'pnpm exec qts'],
    [
      { npm_config_user_agent: PNPM, PNPM_PACKAGE_NAME: 'qts', npm_lifecycle_event: 'qts' },
      'pnpm qts',
    ],
    // another script that runs qts: plain qts is what its author typed
    [{ npm_config_user_agent: PNPM, PNPM_PACKAGE_NAME: 'x', npm_lifecycle_event: 'e2e' }, 'qts'],
  ] as const)('%j -> %s', (env, prefix) => {
    expect(cliPrefix(env)).toBe(prefix);
  });

  it('rewrites commands in backticks and help example lines, and nothing else', () => {
    expect(pasteable('Run `qts orders` to reconcile; qts is fine.', 'pnpm exec qts')).toBe(
      'Run `pnpm exec qts orders` to reconcile; qts is fine.',
    );
    expect(pasteable('Run `qts orders`.', 'qts')).toBe('Run `qts orders`.');
    const help =
      'Usage: qts order [options]\n\nExamples:\n  qts orders        today\n  qts balance       cash\n';
    expect(pasteableHelp(help, 'pnpm exec qts')).toBe(
      'Usage: pnpm exec qts order [options]\n\nExamples:\n  pnpm exec qts orders        today\n  pnpm exec qts balance       cash\n',
    );
  });
});

describe('message and hint', () => {
  it('never run together: a message without a full stop gets one', () => {
    expect(sentences('nothing reached KIS', 'Could not reach the KIS token endpoint.')).toBe(
      'nothing reached KIS. Could not reach the KIS token endpoint.',
    );
    expect(sentences('Nothing was sent.', 'Fix it.')).toBe('Nothing was sent. Fix it.');
    expect(sentences('(nothing was sent)', 'Fix it.')).toBe('(nothing was sent). Fix it.');
    expect(sentences('Only this.', '')).toBe('Only this.');
  });

  it('table padding is removed at line ends only', () => {
    expect(trimLines('a  b   \nc    d \n')).toBe('a  b\nc    d\n');
  });
});

describe('KRX regular session (weekdays 09:00-15:30 KST)', () => {
  // Times are built here and passed in: krxSession reads no clock.
  const kst = (iso: string) => Date.parse(`${iso}+09:00`);
  it.each([
    ['2026-12-05T21:00:00', false, 'Saturday 21:00 KST'],
    ['2026-12-06T10:00:00', false, 'Sunday 10:00 KST'],
    ['2026-12-07T08:59:00', false, 'Monday 08:59 KST'],
    ['2026-12-07T09:00:00', true, 'Monday 09:00 KST'],
    ['2026-12-07T15:29:00', true, 'Monday 15:29 KST'],
    ['2026-12-07T15:30:00', false, 'Monday 15:30 KST'],
    ['2026-12-11T12:00:00', true, 'Friday 12:00 KST'],
  ] as const)('%s KST: open %s', (iso, open, when) => {
    expect(krxSession(kst(iso))).toEqual({ open, when });
  });
});

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

describe('watch rows', () => {
  it('align the status column whatever the word, without trailing spaces', () => {
    const rows = [
      watchRow('09:00:01', 'o-0mxb-aaa1', 'accepted', 'buy 005930 x 2 @ 60,000', 11),
      watchRow('09:00:02', 'o-0mxb-aaa1', 'partially_filled', '1/2 @ avg 60,000', 11),
      watchRow('09:00:03', '-', 'connection_lost', 'reset; catching up by inquiry', 11),
      watchRow('09:00:04', 'o-0mxb-aaa1', 'canceled', '', 11),
    ];
    expect(rows[1]).toContain('partially filled');
    expect(rows[2]).toContain('connection lost');
    const detailColumn = rows.slice(0, 3).map((row) => row.search(/(buy|1\/2|reset)/));
    expect(new Set(detailColumn).size).toBe(1);
    for (const row of rows) expect(row).not.toMatch(/\s$/);
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
