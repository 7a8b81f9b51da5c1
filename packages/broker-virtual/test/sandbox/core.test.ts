// startKisSandbox over the real virtual exchange core: orders, modify/cancel, inquiries,
// notices for every event kind, faults scripted on exchange.faults, paging over the core.
import { afterEach, describe, expect, it } from 'vitest';
import { type KisSandbox, startKisSandbox } from '../../src/sandbox/index.js';
import { NOTICE_FIELDS } from '../../src/sandbox/notice-crypto.js';
import {
  account,
  approvalKey,
  connectWs,
  dailyCcldQuery,
  decryptFrame,
  issueToken,
  kisGet,
  kisPost,
  orderBody,
  placeOrder,
  subscribeMessage,
  TRADING,
  trIdOf,
  type WsClient,
} from './helpers.js';

const open: KisSandbox[] = [];
const clients: WsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function start(options: Parameters<typeof startKisSandbox>[0] = {}): Promise<KisSandbox> {
  const sb = await startKisSandbox({
    environment: 'paper',
    port: 0,
    refuseConnectionMs: 50,
    rateLimitPerSecond: null,
    ...options,
  });
  open.push(sb);
  return sb;
}

async function subscribed(sb: KisSandbox) {
  const client = await connectWs(`${sb.wsUrl}/tryitout`);
  clients.push(client);
  const trId = sb.environment === 'real' ? 'H0STCNI0' : 'H0STCNI9';
  client.send(subscribeMessage(await approvalKey(sb), trId, sb.credentials.htsId));
  const { key, iv } = JSON.parse(await client.next()).body.output as { key: string; iv: string };
  return { next: async () => decryptFrame(await client.next(), key, iv) };
}

const f = (fields: string[], name: (typeof NOTICE_FIELDS)[number]) =>
  fields[NOTICE_FIELDS.indexOf(name)];

function rvsecncl(sb: KisSandbox, token: string, fields: Record<string, string>) {
  return kisPost(sb, token, `${TRADING}/order-rvsecncl`, trIdOf(sb, 'TTTC0013U'), {
    ...account(sb),
    ORD_DVSN: '00',
    EXCG_ID_DVSN_CD: 'KRX',
    ...fields,
  });
}

describe('startKisSandbox', () => {
  it('daily-ccld answers by period: VTTC0081R the current month and three before, VTSC9215R older dates', async () => {
    let now = Date.UTC(2026, 0, 5, 1, 0, 0); // 2026-01-05 10:00 KST
    const sb = await start({ clock: () => now, tokenLifetimeMs: 365 * 24 * 60 * 60 * 1000 });
    const token = await issueToken(sb);
    sb.exchange.setReferencePrice('005930', 70_000);
    expect(
      (await placeOrder(sb, token, 'buy', { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '69000' })).body
        .rt_cd,
    ).toBe('0');
    const rows = async (trId: string) => {
      const reply = await kisGet(
        sb,
        token,
        `${TRADING}/inquire-daily-ccld`,
        trId,
        dailyCcldQuery(sb, '20260105'),
      );
      expect(reply.body.rt_cd).toBe('0');
      return (reply.body.output1 as unknown[]).length;
    };
    now = Date.UTC(2026, 3, 30, 1, 0, 0); // April: January is three months before
    expect([await rows('VTTC0081R'), await rows('VTSC9215R')]).toEqual([1, 0]);
    now = Date.UTC(2026, 4, 1, 1, 0, 0); // May: January is older
    expect([await rows('VTTC0081R'), await rows('VTSC9215R')]).toEqual([0, 1]);
  });

  it('control endpoints: set a price from outside and read the book; a crossed resting order fills', async () => {
    const sb = await start();
    const token = await issueToken(sb);
    const headers = { appkey: sb.credentials.appKey, 'content-type': 'application/json' };
    const setPrice = (price: number) =>
      fetch(`${sb.baseUrl}/qts-sandbox/price`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ symbol: '005930', price }),
      });
    expect((await setPrice(70_000)).status).toBe(200);
    const placed = await kisPost(
      sb,
      token,
      `${TRADING}/order-cash`,
      trIdOf(sb, 'TTTC0012U'),
      orderBody(sb, { PDNO: '005930', ORD_QTY: '3', ORD_UNPR: '69000' }),
    );
    expect(placed.body.rt_cd).toBe('0');
    const book = await fetch(`${sb.baseUrl}/qts-sandbox/book?symbol=005930`, { headers });
    expect(await book.json()).toMatchObject({
      symbol: '005930',
      referencePrice: 70_000,
      bids: [{ price: 69_000, quantity: 3, orders: 1 }],
      asks: [],
    });
    const moved = await setPrice(69_000);
    expect(await moved.json()).toMatchObject({ referencePrice: 69_000, bids: [] });
    const refused = await fetch(`${sb.baseUrl}/qts-sandbox/book?symbol=005930`);
    expect(refused.status).toBe(403);
    const bad = await fetch(`${sb.baseUrl}/qts-sandbox/price`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ symbol: '005930', price: -1 }),
    });
    expect(bad.status).toBe(400);
  });

  it('exposes the env lines qts sandbox prints', async () => {
    const sb = await start({ environment: 'real' });
    expect(sb.env).toEqual({
      QTS_MODE: 'real',
      QTS_KIS_BASE_URL: sb.baseUrl,
      QTS_KIS_WS_URL: sb.wsUrl,
      QTS_KIS_APP_KEY: sb.credentials.appKey,
      QTS_KIS_APP_SECRET: sb.credentials.appSecret,
      QTS_KIS_ACCOUNT: sb.credentials.account,
      QTS_KIS_HTS_ID: sb.credentials.htsId,
    });
    sb.faults.nextNotice('drop');
    expect(sb.exchange.faults.pending()).toEqual([{ operation: 'notice', fault: 'drop' }]);
  });

  it('uses given credentials', async () => {
    const credentials = {
      appKey: 'A'.repeat(36),
      appSecret: 'B'.repeat(180),
      account: '50123456-01',
      htsId: 'tester1',
    };
    const sb = await start({ credentials });
    expect(sb.credentials).toEqual(credentials);
    expect(sb.exchange.balance('50123456-01').cash).toBe(100_000_000);
  });
});

describe('orders over the core', () => {
  it('place, receipt + fill notices, modify (new ODNO linked), cancel, all with notices', async () => {
    const sb = await start();
    const token = await issueToken(sb);
    const notices = await subscribed(sb);
    sb.exchange.setReferencePrice('005930', 70_000);

    const filled = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '2',
      ORD_UNPR: '70000',
    });
    expect(filled.body).toMatchObject({ rt_cd: '0', msg_cd: '40600000' });
    const receipt = await notices.next();
    expect(f(receipt, 'CNTG_YN')).toBe('1');
    const fill = await notices.next();
    expect([f(fill, 'CNTG_YN'), f(fill, 'CNTG_QTY'), f(fill, 'CNTG_UNPR')]).toEqual([
      '2',
      '2',
      '70000',
    ]);

    const resting = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '5',
      ORD_UNPR: '60000',
    });
    const restingOut = resting.body.output as Record<string, string>;
    await notices.next(); // receipt

    const modified = await rvsecncl(sb, token, {
      KRX_FWDG_ORD_ORGNO: restingOut.KRX_FWDG_ORD_ORGNO ?? '',
      ORGN_ODNO: restingOut.ODNO ?? '',
      RVSE_CNCL_DVSN_CD: '01',
      ORD_QTY: '0',
      ORD_UNPR: '65000',
      QTY_ALL_ORD_YN: 'Y',
    });
    expect(modified.body.rt_cd).toBe('0');
    const modOut = modified.body.output as Record<string, string>;
    expect(modOut.ODNO).not.toBe(restingOut.ODNO);
    // A modify is notified as its receipt (ACPT_YN 1), then its confirmation (ACPT_YN 2).
    for (const acceptance of ['1', '2']) {
      const modNotice = await notices.next();
      expect([
        f(modNotice, 'RCTF_CLS'),
        f(modNotice, 'ODER_NO'),
        f(modNotice, 'OODER_NO'),
        f(modNotice, 'CNTG_YN'),
        f(modNotice, 'ACPT_YN'),
      ]).toEqual(['1', modOut.ODNO, restingOut.ODNO, '1', acceptance]);
    }

    const canceled = await rvsecncl(sb, token, {
      KRX_FWDG_ORD_ORGNO: modOut.KRX_FWDG_ORD_ORGNO ?? '',
      ORGN_ODNO: String(Number(modOut.ODNO)), // unpadded is accepted like KIS paper
      RVSE_CNCL_DVSN_CD: '02',
      ORD_QTY: '0',
      ORD_UNPR: '0',
      QTY_ALL_ORD_YN: 'Y',
    });
    expect(canceled.body.rt_cd).toBe('0');
    // Cancel-all (QTY_ALL_ORD_YN Y, ORD_QTY "0"): both records carry the canceled quantity.
    for (const acceptance of ['1', '2']) {
      const cancelNotice = await notices.next();
      expect([
        f(cancelNotice, 'RCTF_CLS'),
        f(cancelNotice, 'OODER_NO'),
        f(cancelNotice, 'CNTG_QTY'),
        f(cancelNotice, 'ODER_QTY'),
        f(cancelNotice, 'ACPT_YN'),
      ]).toEqual(['2', modOut.ODNO, '5', '5', acceptance]);
    }

    const date = sb.exchange.tradingDate();
    const ccld = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'VTTC0081R',
      dailyCcldQuery(sb, date),
    );
    const rows = ccld.body.output1 as Array<Record<string, string>>;
    expect(rows.map((r) => [r.odno, r.orgn_odno, r.cncl_yn])).toEqual([
      [(filled.body.output as Record<string, string>).ODNO, '', 'N'],
      [restingOut.ODNO, '', 'N'],
      [modOut.ODNO, restingOut.ODNO, 'N'],
      [(canceled.body.output as Record<string, string>).ODNO, modOut.ODNO, 'Y'],
    ]);
    const unfilled = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'VTTC0081R',
      dailyCcldQuery(sb, date, { CCLD_DVSN: '02' }),
    );
    expect(unfilled.body.output1).toEqual([]);
  });

  it('business rejections are HTTP 200 with rt_cd 7 (APBK0952) and a reject notice for rejectOrder', async () => {
    const sb = await start();
    const token = await issueToken(sb);
    const tooMuch = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '10000',
      ORD_UNPR: '70000',
    });
    expect(tooMuch.status).toBe(200);
    expect(tooMuch.body).toMatchObject({ rt_cd: '7', msg_cd: 'APBK0952' });

    const notices = await subscribed(sb);
    const resting = await placeOrder(sb, token, 'sell', {
      PDNO: '005930',
      ORD_QTY: '1',
      ORD_UNPR: '90000',
    });
    // selling without holdings is refused by the core
    expect(resting.body.rt_cd).toBe('7');
    const buy = await placeOrder(sb, token, 'buy', {
      PDNO: '000660',
      ORD_QTY: '1',
      ORD_UNPR: '100000',
    });
    await notices.next(); // receipt
    await notices.next(); // fill at the first limit price
    const rest = await placeOrder(sb, token, 'buy', {
      PDNO: '000660',
      ORD_QTY: '1',
      ORD_UNPR: '90000',
    });
    await notices.next(); // receipt
    sb.exchange.rejectOrder(
      (rest.body.output as Record<string, string>).ODNO ?? '',
      'APBK0918',
      '장운영시간이 아닙니다.',
    );
    const reject = await notices.next();
    expect([f(reject, 'RFUS_YN'), f(reject, 'CNTG_YN')]).toEqual(['1', '1']);
    expect(buy.body.rt_cd).toBe('0');
  });

  it('market order without a reference price is refused with the core message', async () => {
    const sb = await start();
    const token = await issueToken(sb);
    const reply = await placeOrder(sb, token, 'buy', {
      PDNO: '035720',
      ORD_DVSN: '01',
      ORD_QTY: '1',
      ORD_UNPR: '0',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.rt_cd).toBe('7');
    expect(String(reply.body.msg1)).toContain('qts virtual price');
  });

  it('inquire-balance and inquire-psbl-order', async () => {
    const sb = await start({ environment: 'real' });
    const token = await issueToken(sb);
    sb.exchange.setReferencePrice('005930', 70_000);
    await placeOrder(sb, token, 'buy', { PDNO: '005930', ORD_QTY: '10', ORD_UNPR: '70000' });
    const balance = await kisGet(sb, token, `${TRADING}/inquire-balance`, 'TTTC8434R', {
      ...account(sb),
      AFHR_FLPR_YN: 'N',
      OFL_YN: '',
      INQR_DVSN: '02',
      UNPR_DVSN: '01',
      FUND_STTL_ICLD_YN: 'N',
      FNCG_AMT_AUTO_RDPT_YN: 'N',
      PRCS_DVSN: '00',
      CTX_AREA_FK100: '',
      CTX_AREA_NK100: '',
    });
    expect(balance.body.rt_cd).toBe('0');
    expect(balance.body.output1).toEqual([
      expect.objectContaining({
        pdno: '005930',
        hldg_qty: '10',
        ord_psbl_qty: '10',
        prpr: '70000',
      }),
    ]);
    expect((balance.body.output2 as Array<Record<string, string>>)[0]).toMatchObject({
      dnca_tot_amt: String(100_000_000 - 700_000),
      scts_evlu_amt: '700000',
    });

    const psbl = await kisGet(sb, token, `${TRADING}/inquire-psbl-order`, 'TTTC8908R', {
      ...account(sb),
      PDNO: '005930',
      ORD_UNPR: '70000',
      ORD_DVSN: '00',
      CMA_EVLU_AMT_ICLD_YN: 'N',
      OVRS_ICLD_YN: 'N',
    });
    expect(psbl.body.rt_cd).toBe('0');
    expect(psbl.body.output).toMatchObject({
      ord_psbl_cash: String(99_300_000),
      nrcvb_buy_qty: String(Math.floor(99_300_000 / 70_000)),
    });
  });

  it('inquire-psbl-rvsecncl (real) lists open orders with psbl_qty', async () => {
    const sb = await start({ environment: 'real' });
    const token = await issueToken(sb);
    sb.exchange.setReferencePrice('005930', 70_000);
    const resting = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '4',
      ORD_UNPR: '60000',
    });
    const reply = await kisGet(sb, token, `${TRADING}/inquire-psbl-rvsecncl`, 'TTTC0084R', {
      ...account(sb),
      INQR_DVSN_1: '0',
      INQR_DVSN_2: '0',
      CTX_AREA_FK100: '',
      CTX_AREA_NK100: '',
    });
    expect(reply.body.rt_cd).toBe('0');
    expect(reply.body.output).toEqual([
      expect.objectContaining({
        odno: (resting.body.output as Record<string, string>).ODNO,
        psbl_qty: '4',
      }),
    ]);
  });
});

describe('faults scripted on exchange.faults', () => {
  it('reject / never-answer / reset-after-accept / refuse-connection and a dropped notice', async () => {
    const sb = await start();
    const token = await issueToken(sb);
    const notices = await subscribed(sb);
    sb.exchange.setReferencePrice('005930', 70_000);
    const body = { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '60000' };

    sb.faults.next('place', {
      kind: 'reject',
      code: 'APBK0952',
      message: '주문가능금액을 초과 했습니다',
    });
    expect((await placeOrder(sb, token, 'buy', body)).body).toMatchObject({
      rt_cd: '7',
      msg_cd: 'APBK0952',
    });
    expect(sb.exchange.orders(sb.credentials.account)).toHaveLength(0);

    sb.faults.next('place', { kind: 'reset-after-accept' });
    await expect(placeOrder(sb, token, 'buy', body)).rejects.toThrow();
    expect(sb.exchange.orders(sb.credentials.account)).toHaveLength(1);

    sb.faults.next('connect', { kind: 'refuse-connection' });
    const refused = await placeOrder(sb, token, 'buy', body).then(
      () => null,
      (error: unknown) => (error as { cause?: { code?: string } }).cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    expect(sb.exchange.orders(sb.credentials.account)).toHaveLength(1);
    await expect.poll(() => sb.faults.pending().length, { timeout: 5_000 }).toBe(0);

    sb.faults.nextNotice('drop');
    const ok = await placeOrder(sb, token, 'buy', body);
    expect(ok.body.rt_cd).toBe('0');
    // the reset order's receipt came first; the dropped one (third order) never arrives
    const first = await notices.next();
    expect(f(first, 'ODER_NO')).toBe(sb.exchange.orders(sb.credentials.account)[0]?.orderNo);

    sb.faults.next('place', { kind: 'never-answer' });
    const hanging = placeOrder(sb, token, 'buy', body).then(
      () => 'answered',
      () => 'failed',
    );
    await expect.poll(() => sb.exchange.orders(sb.credentials.account).length).toBe(3);
    const next = await notices.next();
    expect(f(next, 'ODER_NO')).toBe(sb.exchange.orders(sb.credentials.account)[2]?.orderNo);
    await sb.close();
    expect(await hanging).toBe('failed');
  });
});

describe('refuse-connection queued on exchange.faults directly', () => {
  it('resets the next connection without booking', async () => {
    const sb = await start();
    const token = await issueToken(sb);
    sb.exchange.faults.next('connect', { kind: 'refuse-connection' });
    await expect(
      placeOrder(sb, token, 'buy', { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '60000' }),
    ).rejects.toThrow();
    expect(sb.exchange.orders(sb.credentials.account)).toHaveLength(0);
    const again = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '1',
      ORD_UNPR: '60000',
    });
    expect(again.body.rt_cd).toBe('0');
  });
});

describe('paging over the core', () => {
  it('real: 130 orders come back as 100 + 30 rows', async () => {
    const sb = await start({ environment: 'real' });
    const token = await issueToken(sb);
    sb.exchange.setReferencePrice('005930', 70_000);
    for (let i = 0; i < 130; i += 1) {
      sb.exchange.place(sb.credentials.account, {
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 60_000,
      });
    }
    const date = sb.exchange.tradingDate();
    const first = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'TTTC0081R',
      dailyCcldQuery(sb, date),
    );
    expect((first.body.output1 as unknown[]).length).toBe(100);
    expect(first.headers.get('tr_cont')).toBe('F');
    const second = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'TTTC0081R',
      dailyCcldQuery(sb, date, {
        CTX_AREA_FK100: String(first.body.ctx_area_fk100),
        CTX_AREA_NK100: String(first.body.ctx_area_nk100),
      }),
      { tr_cont: 'N' },
    );
    expect((second.body.output1 as unknown[]).length).toBe(30);
    expect(second.headers.get('tr_cont')).toBe('E');
  });

  it('paper: 20 orders come back as 15 + 5 rows', async () => {
    const sb = await start();
    const token = await issueToken(sb);
    for (let i = 0; i < 20; i += 1) {
      sb.exchange.place(sb.credentials.account, {
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 60_000,
      });
    }
    const date = sb.exchange.tradingDate();
    const first = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'VTTC0081R',
      dailyCcldQuery(sb, date),
    );
    expect((first.body.output1 as unknown[]).length).toBe(15);
    const second = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'VTTC0081R',
      dailyCcldQuery(sb, date, {
        CTX_AREA_FK100: String(first.body.ctx_area_fk100),
        CTX_AREA_NK100: String(first.body.ctx_area_nk100),
      }),
      { tr_cont: 'N' },
    );
    expect((second.body.output1 as unknown[]).length).toBe(5);
    expect(['D', 'E']).toContain(second.headers.get('tr_cont'));
  });
});

describe('connect delay', () => {
  it('holds the next connection, then serves it', async () => {
    const sb = await start();
    sb.faults.next('connect', { kind: 'delay', ms: 50 });
    const token = await issueToken(sb);
    expect(token.length).toBeGreaterThan(0);
    expect(sb.faults.pending()).toEqual([]);
    expect(sb.faults.requestCount('connect')).toBeGreaterThan(0);
  });
});
