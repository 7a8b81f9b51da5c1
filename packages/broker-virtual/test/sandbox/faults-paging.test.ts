// HTTP-layer faults and inquire-daily-ccld paging over the fake exchange.
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSandboxServer, startSandboxServer } from '../../src/sandbox/server.js';
import { createFakeExchange, type FakeExchange } from './fake-exchange.js';
import {
  dailyCcldQuery,
  issueToken,
  kisGet,
  kisHeaders,
  orderBody,
  placeOrder,
  TRADING,
  trIdOf,
} from './helpers.js';

const open: RunningSandboxServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function start(options: Parameters<typeof startSandboxServer>[1] = {}) {
  const exchange: FakeExchange = createFakeExchange();
  const sb = await startSandboxServer(exchange, {
    environment: 'paper',
    rateLimitPerSecond: null,
    ...options,
  });
  open.push(sb);
  return { sb, exchange };
}

function orderRequest(sb: RunningSandboxServer, token: string, signal?: AbortSignal) {
  return fetch(`${sb.baseUrl}${TRADING}/order-cash`, {
    method: 'POST',
    headers: kisHeaders(sb, token, trIdOf(sb, 'TTTC0012U')),
    body: JSON.stringify(orderBody(sb, { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' })),
    ...(signal === undefined ? {} : { signal }),
  });
}

describe('faults', () => {
  it('reject with a code: HTTP 200, rt_cd 7, nothing booked', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    exchange.faults.push({
      operation: 'place',
      fault: { kind: 'reject', code: 'APBK0952', message: '주문가능금액을 초과 했습니다' },
    });
    const reply = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '1',
      ORD_UNPR: '70000',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      rt_cd: '7',
      msg_cd: 'APBK0952',
      msg1: '주문가능금액을 초과 했습니다',
    });
    expect(exchange.all()).toHaveLength(0);
  });

  it('delay: books and answers later', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    exchange.faults.push({ operation: 'place', fault: { kind: 'delay', ms: 100 } });
    const pending = placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '1',
      ORD_UNPR: '70000',
    });
    const reply = await pending;
    expect(reply.body.rt_cd).toBe('0');
    expect(exchange.all()).toHaveLength(1);
  });

  it('accept-then-never-answer: books, never answers, close() still finishes', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    exchange.faults.push({ operation: 'place', fault: { kind: 'never-answer' } });
    const pending = orderRequest(sb, token).then(
      () => 'answered',
      () => 'failed',
    );
    await expect.poll(() => exchange.all().length).toBe(1);
    await sb.close();
    expect(await pending).toBe('failed');
  });

  it('reset-after-accept: books, then the connection is destroyed', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    exchange.faults.push({ operation: 'place', fault: { kind: 'reset-after-accept' } });
    await expect(orderRequest(sb, token)).rejects.toThrow();
    expect(exchange.all()).toHaveLength(1);
  });

  it('refuse connections: closes the socket without booking, then serves again', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    exchange.faults.push({ operation: 'connect', fault: { kind: 'refuse-connection' } });
    await expect(orderRequest(sb, token)).rejects.toThrow();
    expect(exchange.all()).toHaveLength(0);
    const again = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '1',
      ORD_UNPR: '70000',
    });
    expect(again.body.rt_cd).toBe('0');
  });

  it('an inquiry fault applies to GET endpoints', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    exchange.faults.push({
      operation: 'inquiry',
      fault: {
        kind: 'reject',
        code: 'EGW00215',
        message: '원장에서 허용 가능한 초당 거래건수를 초과하였습니다.',
      },
    });
    const reply = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'VTTC0081R',
      dailyCcldQuery(sb, '20260105'),
    );
    expect(reply.body.msg_cd).toBe('EGW00215');
  });
});

async function pageThrough(
  sb: RunningSandboxServer,
  token: string,
  trId: string,
  date: string,
  overrides: Record<string, string> = {},
) {
  const pages: Array<{
    rows: Array<Record<string, string>>;
    trCont: string | null;
    body: Record<string, unknown>;
  }> = [];
  let fk = '';
  let nk = '';
  let trCont = '';
  for (let i = 0; i < 20; i += 1) {
    const reply = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      trId,
      dailyCcldQuery(sb, date, { ...overrides, CTX_AREA_FK100: fk, CTX_AREA_NK100: nk }),
      trCont === '' ? {} : { tr_cont: trCont },
    );
    expect(reply.body.rt_cd).toBe('0');
    const responseCont = reply.headers.get('tr_cont');
    pages.push({
      rows: reply.body.output1 as Array<Record<string, string>>,
      trCont: responseCont,
      body: reply.body,
    });
    if (responseCont !== 'F' && responseCont !== 'M') break;
    fk = String(reply.body.ctx_area_fk100);
    nk = String(reply.body.ctx_area_nk100);
    trCont = 'N';
  }
  return pages;
}

describe('inquire-daily-ccld paging', () => {
  it('takes lower-case query keys (ctx_area_fk100 / ctx_area_nk100) and pages with them', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    for (let i = 0; i < 20; i += 1) {
      exchange.place(sb.credentials.account, {
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 70_000,
      });
    }
    const date = exchange.all()[0]?.tradingDate ?? '';
    const lower = (query: Record<string, string>) =>
      Object.fromEntries(Object.entries(query).map(([key, value]) => [key.toLowerCase(), value]));
    const path = `${TRADING}/inquire-daily-ccld`;
    const first = await kisGet(sb, token, path, 'VTTC0081R', lower(dailyCcldQuery(sb, date)));
    expect(first.body.rt_cd).toBe('0');
    expect(first.headers.get('tr_cont')).toBe('F');
    const second = await kisGet(
      sb,
      token,
      path,
      'VTTC0081R',
      lower(
        dailyCcldQuery(sb, date, {
          CTX_AREA_FK100: String(first.body.ctx_area_fk100),
          CTX_AREA_NK100: String(first.body.ctx_area_nk100),
        }),
      ),
      { tr_cont: 'N' },
    );
    expect(second.body.rt_cd).toBe('0');
    const rows = [first, second].flatMap((reply) => reply.body.output1 as Array<{ odno: string }>);
    expect(new Set(rows.map((row) => row.odno)).size).toBe(20);
  });

  it('paper: 15 rows a page, tr_cont F/M then D/E, totals in output2', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    for (let i = 0; i < 32; i += 1) {
      exchange.place(sb.credentials.account, {
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 70_000,
      });
    }
    const date = exchange.all()[0]?.tradingDate ?? '';
    const pages = await pageThrough(sb, token, 'VTTC0081R', date);
    expect(pages.map((p) => p.rows.length)).toEqual([15, 15, 2]);
    expect(pages.map((p) => p.trCont)).toEqual(['F', 'M', 'E']);
    const numbers = pages.flatMap((p) => p.rows.map((r) => r.odno));
    expect(new Set(numbers).size).toBe(32);
    expect(pages[0]?.body.output2).toMatchObject({ tot_ord_qty: '32', tot_ccld_qty: '32' });
    const row = pages[0]?.rows[0] ?? {};
    // python-kis maps excg_dvsn_cd through a table of KRX codes and fails on an empty value.
    expect(row.excg_dvsn_cd).toBe('01');
    for (const name of [
      'ord_dt',
      'ord_gno_brno',
      'odno',
      'orgn_odno',
      'sll_buy_dvsn_cd',
      'pdno',
      'ord_qty',
      'ord_unpr',
      'ord_tmd',
      'tot_ccld_qty',
      'avg_prvs',
      'cncl_yn',
      'tot_ccld_amt',
      'ord_dvsn_cd',
      'cnc_cfrm_qty',
      'rmn_qty',
      'rjct_qty',
      'excg_id_dvsn_Cd',
    ]) {
      expect(row).toHaveProperty(name);
    }
  });

  it('real: 100 rows a page', async () => {
    const { sb, exchange } = await start({ environment: 'real' });
    const token = await issueToken(sb);
    for (let i = 0; i < 130; i += 1) {
      exchange.place(sb.credentials.account, {
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 70_000,
      });
    }
    const date = exchange.all()[0]?.tradingDate ?? '';
    const pages = await pageThrough(sb, token, 'TTTC0081R', date, { INQR_DVSN: '00' });
    expect(pages.map((p) => p.rows.length)).toEqual([100, 30]);
    expect(pages.map((p) => p.trCont)).toEqual(['F', 'E']);
    // newest first
    expect(Number(pages[0]?.rows[0]?.odno)).toBeGreaterThan(Number(pages[0]?.rows[1]?.odno));
  });

  it('filters: CCLD_DVSN, SLL_BUY_DVSN_CD, PDNO, ODNO', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    exchange.setReferencePrice('005930', 70_000);
    const account = sb.credentials.account;
    exchange.place(account, {
      symbol: '005930',
      side: 'buy',
      type: 'limit',
      quantity: 1,
      limitPrice: 70_000,
    }); // fills
    exchange.place(account, {
      symbol: '005930',
      side: 'buy',
      type: 'limit',
      quantity: 2,
      limitPrice: 60_000,
    }); // rests
    exchange.place(account, {
      symbol: '000660',
      side: 'sell',
      type: 'limit',
      quantity: 3,
      limitPrice: 100_000,
    }); // fills (first price)
    const date = exchange.all()[0]?.tradingDate ?? '';
    const query = (o: Record<string, string>) =>
      kisGet(sb, token, `${TRADING}/inquire-daily-ccld`, 'VTTC0081R', dailyCcldQuery(sb, date, o));
    const rows = async (o: Record<string, string>) =>
      ((await query(o)).body.output1 as Array<Record<string, string>>).map((r) => r.ord_qty);
    expect(await rows({ CCLD_DVSN: '01' })).toEqual(['1', '3']);
    expect(await rows({ CCLD_DVSN: '02' })).toEqual(['2']);
    expect(await rows({ SLL_BUY_DVSN_CD: '01' })).toEqual(['3']);
    expect(await rows({ PDNO: '000660' })).toEqual(['3']);
    expect(await rows({ ODNO: String(Number(exchange.all()[1]?.orderNo)) })).toEqual(['2']);
    const bad = await query({ SLL_BUY_DVSN_CD: '2' });
    expect(bad.body.rt_cd).not.toBe('0');
  });
});
