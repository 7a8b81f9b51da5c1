// Every KIS order division (ORD_DVSN) and venue (EXCG_ID_DVSN_CD) through the sandbox over the
// real exchange core: what real and paper take, what the inquiry rows and notices carry, the
// sandbox clock for the off-hours sessions.
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualExchange } from '../../src/core/exchange.js';
import {
  createKisRequestHandler,
  type KisSandbox,
  startKisSandbox,
} from '../../src/sandbox/index.js';
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
  subscribeMessage,
  TRADING,
  trIdOf,
  type WsClient,
} from './helpers.js';

// Wednesday 2026-11-25 10:00 KST.
const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);
const OTHER = '99999999-01';

const open: KisSandbox[] = [];
const clients: WsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function start(
  environment: 'real' | 'paper',
  options: Parameters<typeof startKisSandbox>[0] = {},
): Promise<KisSandbox> {
  const sb = await startKisSandbox({
    environment,
    port: 0,
    rateLimitPerSecond: null,
    clock: () => WED_10_KST,
    ...options,
  });
  open.push(sb);
  sb.exchange.setReferencePrice('005930', 70_000);
  return sb;
}

function order(
  sb: KisSandbox,
  token: string,
  fields: { ORD_DVSN: string; ORD_UNPR: string; EXCG_ID_DVSN_CD?: string; ORD_QTY?: string },
  side: 'buy' | 'sell' = 'buy',
) {
  const { EXCG_ID_DVSN_CD, ...rest } = fields;
  return kisPost(
    sb,
    token,
    `${TRADING}/order-cash`,
    trIdOf(sb, side === 'buy' ? 'TTTC0012U' : 'TTTC0011U'),
    {
      ...account(sb),
      PDNO: '005930',
      ORD_QTY: '10',
      ...rest,
      ...(EXCG_ID_DVSN_CD === undefined ? {} : { EXCG_ID_DVSN_CD }),
    },
  );
}

async function rows(sb: KisSandbox, token: string, venue = 'ALL') {
  const reply = await kisGet(
    sb,
    token,
    `${TRADING}/inquire-daily-ccld`,
    trIdOf(sb, 'TTTC0081R'),
    dailyCcldQuery(sb, '20261125', { EXCG_ID_DVSN_CD: venue }),
  );
  expect(reply.body.rt_cd, JSON.stringify(reply.body)).toBe('0');
  return reply.body.output1 as Record<string, string>[];
}

/** A resting sell of `quantity` at `price` from another account (it buys the shares first). */
function restingSell(sb: KisSandbox, quantity: number, price: number): string {
  const bought = sb.exchange.place(OTHER, {
    symbol: '005930',
    side: 'buy',
    type: 'limit',
    quantity,
    limitPrice: 70_000,
  });
  expect(bought.ok && bought.order.status).toBe('filled');
  const sell = sb.exchange.place(OTHER, {
    symbol: '005930',
    side: 'sell',
    type: 'limit',
    quantity,
    limitPrice: price,
  });
  if (!sell.ok) throw new Error(sell.message);
  expect(sell.order.status).toBe('open');
  return sell.order.orderNo;
}

// ORD_DVSN, ORD_UNPR, the name inquiries show, ccld_cndt_name, the status after placing (buy 10
// at 69,000 where a price is needed; reference 70,000; no sells rest, so best and IOC/FOK market
// fill at the reference; the buys of 00 and 02 rest at 69,000, so priority (04) joins them).
const REAL_CASES = [
  ['00', '69000', '지정가', '없음', 'open'],
  ['01', '0', '시장가', '없음', 'filled'],
  ['02', '69000', '조건부지정가', '없음', 'open'],
  ['03', '0', '최유리지정가', '없음', 'filled'],
  ['04', '0', '최우선지정가', '없음', 'open'],
  ['05', '0', '장전 시간외', '없음', 'filled'],
  ['06', '0', '장후 시간외', '없음', 'filled'],
  ['07', '69000', '시간외 단일가', '없음', 'open'],
  ['11', '69000', 'IOC지정가', 'IOC', 'canceled'],
  ['12', '69000', 'FOK지정가', 'FOK', 'canceled'],
  ['13', '0', 'IOC시장가', 'IOC', 'filled'],
  ['14', '0', 'FOK시장가', 'FOK', 'filled'],
  ['15', '0', 'IOC최유리', 'IOC', 'filled'],
  ['16', '0', 'FOK최유리', 'FOK', 'filled'],
] as const;

describe('order divisions in the sandbox (real)', () => {
  it('order-cash takes ORD_DVSN 00-07 and 11-16; daily-ccld rows carry their code, name and condition', async () => {
    const sb = await start('real');
    const token = await issueToken(sb);
    for (const [code, price, , , status] of REAL_CASES) {
      const placed = await order(sb, token, { ORD_DVSN: code, ORD_UNPR: price });
      expect(placed.body.rt_cd, `${code}: ${JSON.stringify(placed.body)}`).toBe('0');
      const orderNo = (placed.body.output as { ODNO: string }).ODNO;
      expect(sb.exchange.getOrder(orderNo)?.status, `status of ${code}`).toBe(status);
    }
    const shown = (await rows(sb, token)).map((row) => [
      row.ord_dvsn_cd,
      row.ord_dvsn_name,
      row.ccld_cndt_name,
      row.excg_id_dvsn_Cd,
    ]);
    expect(shown).toEqual(
      REAL_CASES.map(([code, , name, condition]) => [code, name, condition, 'KRX']),
    );
  });

  it('ORD_UNPR must be "0" where the exchange sets the price and above 0 where a limit is needed', async () => {
    const sb = await start('real');
    const token = await issueToken(sb);
    for (const code of ['01', '03', '04', '05', '06', '13', '14', '15', '16']) {
      const reply = await order(sb, token, { ORD_DVSN: code, ORD_UNPR: '69000' });
      expect([reply.body.rt_cd, reply.body.msg_cd], code).toEqual(['1', 'QTSV1010']);
    }
    for (const code of ['00', '02', '07', '11', '12']) {
      const reply = await order(sb, token, { ORD_DVSN: code, ORD_UNPR: '0' });
      expect([reply.body.rt_cd, reply.body.msg_cd], code).toEqual(['1', 'QTSV1010']);
    }
    const midPrice = await order(sb, token, { ORD_DVSN: '21', ORD_UNPR: '0' });
    expect([midPrice.body.rt_cd, midPrice.body.msg_cd]).toEqual(['1', 'QTSV1010']);
    expect(await rows(sb, token)).toEqual([]);
  });

  it('EXCG_ID_DVSN_CD KRX, NXT and SOR (absent means KRX) are recorded; a venue that does not take a division is refused', async () => {
    const sb = await start('real');
    const token = await issueToken(sb);
    for (const venue of [undefined, 'KRX', 'NXT', 'SOR'] as const) {
      const placed = await order(sb, token, {
        ORD_DVSN: '00',
        ORD_UNPR: '69000',
        ...(venue === undefined ? {} : { EXCG_ID_DVSN_CD: venue }),
      });
      expect(placed.body.rt_cd, String(venue)).toBe('0');
    }
    expect((await rows(sb, token)).map((row) => row.excg_id_dvsn_Cd)).toEqual([
      'KRX',
      'KRX',
      'NXT',
      'SOR',
    ]);
    expect((await rows(sb, token, 'NXT')).map((row) => row.excg_id_dvsn_Cd)).toEqual(['NXT']);
    expect((await rows(sb, token, 'KRX')).length).toBe(2);
    // NXT takes no plain market order and no conditional limit (docs/order-types.md).
    for (const [code, price] of [
      ['01', '0'],
      ['02', '69000'],
    ] as const) {
      const reply = await order(sb, token, {
        ORD_DVSN: code,
        ORD_UNPR: price,
        EXCG_ID_DVSN_CD: 'NXT',
      });
      expect([reply.body.rt_cd, reply.body.msg_cd], code).toEqual(['1', 'QTSV1010']);
    }
    expect((await rows(sb, token)).length).toBe(4);
  });

  it('an IOC order fills what rests against it and the exchange cancels the rest (notice ACPT_YN 3); FOK fills nothing unless all of it', async () => {
    const sb = await start('real');
    const token = await issueToken(sb);
    const client = await connectWs(`${sb.wsUrl}/tryitout`);
    clients.push(client);
    client.send(subscribeMessage(await approvalKey(sb), 'H0STCNI0', sb.credentials.htsId));
    const { key, iv } = JSON.parse(await client.next()).body.output as { key: string; iv: string };
    const next = async () => decryptFrame(await client.next(), key, iv);
    const f = (fields: string[], name: (typeof NOTICE_FIELDS)[number]) =>
      fields[NOTICE_FIELDS.indexOf(name)];
    restingSell(sb, 3, 70_500);

    const fok = await order(sb, token, {
      ORD_DVSN: '12',
      ORD_UNPR: '70500',
      EXCG_ID_DVSN_CD: 'NXT',
    });
    expect(fok.body.rt_cd).toBe('0');
    const fokNo = (fok.body.output as { ODNO: string }).ODNO;
    expect(sb.exchange.getOrder(fokNo)).toMatchObject({ filledQuantity: 0, canceledQuantity: 10 });
    const fokReceipt = await next();
    expect([
      f(fokReceipt, 'ODER_KIND'),
      f(fokReceipt, 'ODER_COND'),
      f(fokReceipt, 'ACPT_YN'),
    ]).toEqual(['12', '2', '1']);
    expect(f(fokReceipt, 'ORD_EXG_GB')).toBe('2');
    const fokCancel = await next();
    expect([
      f(fokCancel, 'ODER_NO'),
      f(fokCancel, 'ACPT_YN'),
      f(fokCancel, 'CNTG_QTY'),
      f(fokCancel, 'CNTG_YN'),
    ]).toEqual([fokNo, '3', '10', '1']);

    const ioc = await order(sb, token, {
      ORD_DVSN: '11',
      ORD_UNPR: '70500',
      EXCG_ID_DVSN_CD: 'SOR',
    });
    const iocNo = (ioc.body.output as { ODNO: string }).ODNO;
    expect(sb.exchange.getOrder(iocNo)).toMatchObject({
      filledQuantity: 3,
      canceledQuantity: 7,
      remainingQuantity: 0,
      averagePrice: 70_500,
    });
    const receipt = await next();
    expect([f(receipt, 'ODER_KIND'), f(receipt, 'ODER_COND'), f(receipt, 'ORD_EXG_GB')]).toEqual([
      '11',
      '1',
      '3',
    ]);
    const fill = await next();
    expect([f(fill, 'CNTG_YN'), f(fill, 'CNTG_QTY'), f(fill, 'CNTG_UNPR')]).toEqual([
      '2',
      '3',
      '70500',
    ]);
    const canceled = await next();
    expect([
      f(canceled, 'ODER_NO'),
      f(canceled, 'ACPT_YN'),
      f(canceled, 'CNTG_QTY'),
      f(canceled, 'RCTF_CLS'),
    ]).toEqual([iocNo, '3', '7', '0']);
    const row = (await rows(sb, token)).find((r) => r.odno === iocNo);
    expect(row).toMatchObject({
      ord_dvsn_cd: '11',
      tot_ccld_qty: '3',
      cnc_cfrm_qty: '7',
      rmn_qty: '0',
      excg_id_dvsn_Cd: 'SOR',
    });
  });

  it('modify keeps a division when its ORD_DVSN is sent again (ORD_UNPR "0" keeps the price the exchange set); an IOC division cannot be a modify', async () => {
    const sb = await start('real');
    const token = await issueToken(sb);
    // A resting buy at 69,000 makes 최우선 (priority) price a buy at 69,000: it rests.
    await order(sb, token, { ORD_DVSN: '00', ORD_UNPR: '69000', ORD_QTY: '1' });
    const placed = await order(sb, token, { ORD_DVSN: '04', ORD_UNPR: '0' });
    const orderNo = (placed.body.output as { ODNO: string }).ODNO;
    expect(sb.exchange.getOrder(orderNo)).toMatchObject({
      division: 'priority',
      limitPrice: 69_000,
      status: 'open',
    });
    const rvsecncl = (fields: Record<string, string>) =>
      kisPost(sb, token, `${TRADING}/order-rvsecncl`, 'TTTC0013U', {
        ...account(sb),
        KRX_FWDG_ORD_ORGNO: sb.exchange.getOrder(orderNo)?.branch ?? '',
        ORGN_ODNO: orderNo,
        RVSE_CNCL_DVSN_CD: '01',
        QTY_ALL_ORD_YN: 'N',
        EXCG_ID_DVSN_CD: 'KRX',
        ...fields,
      });
    const ioc = await rvsecncl({ ORD_DVSN: '11', ORD_QTY: '4', ORD_UNPR: '69000' });
    expect([ioc.body.rt_cd, ioc.body.msg_cd]).toEqual(['1', 'QTSV1010']);
    const priced = await rvsecncl({ ORD_DVSN: '04', ORD_QTY: '4', ORD_UNPR: '68000' });
    expect([priced.body.rt_cd, priced.body.msg_cd]).toEqual(['1', 'QTSV1010']);
    const kept = await rvsecncl({ ORD_DVSN: '04', ORD_QTY: '4', ORD_UNPR: '0' });
    expect(kept.body.rt_cd, JSON.stringify(kept.body)).toBe('0');
    const modifyNo = (kept.body.output as { ODNO: string }).ODNO;
    expect(sb.exchange.getOrder(modifyNo)).toMatchObject({
      division: 'priority',
      limitPrice: 69_000,
      quantity: 4,
    });
    const toLimit = await rvsecncl({ ORD_DVSN: '00', ORD_QTY: '2', ORD_UNPR: '68000' });
    expect(toLimit.body.rt_cd).toBe('0');
    expect(sb.exchange.getOrder((toLimit.body.output as { ODNO: string }).ODNO)).toMatchObject({
      division: 'limit',
      limitPrice: 68_000,
    });
    const row = (await rows(sb, token)).find((r) => r.odno === modifyNo);
    expect(row).toMatchObject({ ord_dvsn_cd: '04', orgn_odno: orderNo });
  });

  it('with session rules, an off-hours division is taken only in its session: POST /qts-sandbox/clock moves the sandbox there', async () => {
    const sb = await start('real', { sessionRules: true });
    const token = await issueToken(sb);
    const headers = { appkey: sb.credentials.appKey, 'content-type': 'application/json' };
    const moveClock = (at: unknown) =>
      fetch(`${sb.baseUrl}/qts-sandbox/clock`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ at }),
      });
    const single = () => order(sb, token, { ORD_DVSN: '07', ORD_UNPR: '69000' });
    const refused = await single();
    expect([refused.body.rt_cd, refused.body.msg_cd]).toEqual(['7', 'QTSV0403']);
    expect(String(refused.body.msg1)).toContain('16:00-18:00');
    const moved = await moveClock('2026-11-25T16:30:00+09:00');
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ kst: '2026-11-25 16:30:00' });
    expect((await single()).body.rt_cd).toBe('0');
    // A plain limit in the after-hours session is still taken (KRX's existing rule); 06 is not.
    const post = await order(sb, token, { ORD_DVSN: '06', ORD_UNPR: '0' });
    expect([post.body.rt_cd, post.body.msg_cd]).toEqual(['7', 'QTSV0403']);
    expect((await moveClock(Date.UTC(2026, 10, 25, 6, 45))).status).toBe(200); // 15:45 KST
    expect((await order(sb, token, { ORD_DVSN: '06', ORD_UNPR: '0' })).body.rt_cd).toBe('0');
    expect((await moveClock(null)).status).toBe(200);
    expect(sb.exchange.now()).toBe(WED_10_KST);
    expect((await moveClock('tomorrow')).status).toBe(400);
  });
});

describe('order divisions in the sandbox (paper)', () => {
  it('takes ORD_DVSN 00-04 on KRX; refuses 05-07 and 11-16, and NXT / SOR, with rt_cd 1 QTSV1015 and books nothing', async () => {
    const sb = await start('paper');
    const token = await issueToken(sb);
    for (const [code, price] of [
      ['00', '69000'],
      ['01', '0'],
      ['02', '69000'],
      ['03', '0'],
      ['04', '0'],
    ] as const) {
      const reply = await order(sb, token, { ORD_DVSN: code, ORD_UNPR: price });
      expect(reply.body.rt_cd, `${code}: ${JSON.stringify(reply.body)}`).toBe('0');
    }
    const before = sb.exchange.faults.requestCount('place');
    for (const [code, price] of REAL_CASES.filter(
      ([c]) => !['00', '01', '02', '03', '04'].includes(c),
    )) {
      const reply = await order(sb, token, { ORD_DVSN: code, ORD_UNPR: price });
      expect([reply.body.rt_cd, reply.body.msg_cd], code).toEqual(['1', 'QTSV1015']);
      expect(String(reply.body.msg1)).toContain('모의투자');
    }
    for (const venue of ['NXT', 'SOR']) {
      const reply = await order(sb, token, {
        ORD_DVSN: '00',
        ORD_UNPR: '69000',
        EXCG_ID_DVSN_CD: venue,
      });
      expect([reply.body.rt_cd, reply.body.msg_cd], venue).toEqual(['1', 'QTSV1015']);
    }
    expect(sb.exchange.faults.requestCount('place')).toBe(before);
    expect((await rows(sb, token)).map((row) => row.ord_dvsn_cd)).toEqual([
      '00',
      '01',
      '02',
      '03',
      '04',
    ]);
  });
});

describe('the sandbox clock', () => {
  const clockRequest = (appKey: string, at: unknown) =>
    new Request('https://openapi.koreainvestment.com:9443/qts-sandbox/clock', {
      method: 'POST',
      headers: { appkey: appKey, 'content-type': 'application/json' },
      body: JSON.stringify({ at }),
    });

  it('moves the exchange the handler made (session rules on) and refuses to move one it was given', async () => {
    const handler = createKisRequestHandler({
      environment: 'real',
      clock: () => WED_10_KST,
      sessionRules: true,
    });
    expect(handler.exchange.sessionRules).toBe(true);
    const moved = await handler.handleKisRequest(
      clockRequest(handler.credentials.appKey, '2026-11-25T08:35:00+09:00'),
    );
    expect(moved.status).toBe(200);
    expect(handler.exchange.now()).toBe(Date.UTC(2026, 10, 24, 23, 35));
    handler.exchange.setReferencePrice('005930', 70_000);
    expect(
      handler.exchange.place(handler.exchange.defaultAccount, {
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        division: 'pre-market-close',
        quantity: 1,
      }).ok,
    ).toBe(true);
    const forbidden = await handler.handleKisRequest(clockRequest('not-the-key', null));
    expect(forbidden.status).toBe(403);
    handler.exchange.close();

    const exchange = createVirtualExchange({ clock: () => WED_10_KST });
    const given = createKisRequestHandler({ environment: 'real', exchange });
    const refused = await given.handleKisRequest(clockRequest(given.credentials.appKey, null));
    expect(refused.status).toBe(409);
    exchange.close();
  });
});
