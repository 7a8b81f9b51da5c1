import type { KisRequest } from '@qts/auth-phase2';
import { describe, expect, it } from 'vitest';
import { createKisOrderAdapter } from '../src/index.js';
import { createFakeTransport, dailyRow, type FakeAnswer, FIXED_NOW, ok } from './helpers.js';

const auth = { getApprovalKey: async () => 'approval-key' };

function adapterWith(
  answers: FakeAnswer[] | ((request: KisRequest) => FakeAnswer),
  environment: 'real' | 'paper' = 'paper',
) {
  const transport = createFakeTransport(answers, environment);
  const adapter = createKisOrderAdapter({ transport, auth, environment, clock: () => FIXED_NOW });
  return { transport, adapter };
}

describe('getOrders (inquire-daily-ccld)', () => {
  it.each([
    ['paper', '20260105', 'VTTC0081R'],
    ['paper', '20251001', 'VTTC0081R'],
    ['paper', '20250930', 'VTSC9215R'],
    ['real', '20251001', 'TTTC0081R'],
    ['real', '20250930', 'CTSC9215R'],
    ['real', '20240105', 'CTSC9215R'],
  ] as const)(
    '%s, %s (today 20260105 by the injected clock): %s (the current month and three before, else the old-date TR)',
    async (environment, tradingDate, trId) => {
      const { adapter, transport } = adapterWith([ok({ output1: [] }, 'D')], environment);
      await adapter.getOrders({ tradingDate });
      expect(transport.requests[0]?.trId).toBe(trId);
    },
  );

  it('asks for one Seoul trading date with two-digit codes and maps rows to BrokerOrder', async () => {
    const { adapter, transport } = adapterWith([
      ok(
        {
          output1: [
            dailyRow({ tot_ccld_qty: '4', avg_prvs: '70000', rmn_qty: '6' }),
            dailyRow({
              odno: '0000437811',
              orgn_odno: '0000437810',
              sll_buy_dvsn_cd_name: '매수취소*',
              ord_qty: '6',
              ord_unpr: '0',
              cnc_cfrm_qty: '6',
              rmn_qty: '0',
            }),
          ],
          output2: { tot_ord_qty: '16' },
          ctx_area_fk100: '',
          ctx_area_nk100: '',
        },
        'D',
      ),
    ]);
    const orders = await adapter.getOrders({ tradingDate: '20260105' });
    expect(transport.requests).toEqual([
      {
        method: 'GET',
        path: '/uapi/domestic-stock/v1/trading/inquire-daily-ccld',
        trId: 'VTTC0081R',
        query: {
          CANO: '50123456',
          ACNT_PRDT_CD: '01',
          INQR_STRT_DT: '20260105',
          INQR_END_DT: '20260105',
          SLL_BUY_DVSN_CD: '00',
          INQR_DVSN: '01',
          PDNO: '',
          CCLD_DVSN: '00',
          ORD_GNO_BRNO: '',
          ODNO: '',
          INQR_DVSN_3: '00',
          INQR_DVSN_1: '',
          CTX_AREA_FK100: '',
          CTX_AREA_NK100: '',
          EXCG_ID_DVSN_CD: 'KRX',
        },
      },
    ]);
    expect(orders).toEqual([
      {
        brokerOrderId: '0000437810',
        brokerBranch: '91252',
        originalBrokerOrderId: null,
        kind: 'order',
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        quantity: 10,
        limitPrice: 70_000,
        filledQuantity: 4,
        remainingQuantity: 6,
        canceledQuantity: 0,
        rejectedQuantity: 0,
        averagePrice: 70_000,
        status: 'partially_filled',
        orderedAt: '2026-01-05T10:15:02+09:00',
        tradingDate: '20260105',
      },
      expect.objectContaining({
        brokerOrderId: '0000437811',
        originalBrokerOrderId: '0000437810',
        kind: 'cancel',
        status: 'canceled',
      }),
    ]);
  });

  it('follows tr_cont F/M with tr_cont N and the previous page keys until D/E', async () => {
    const { adapter, transport } = adapterWith([
      ok({ output1: [dailyRow({ odno: '1' })], ctx_area_fk100: 'FK1', ctx_area_nk100: 'NK1' }, 'F'),
      ok({ output1: [dailyRow({ odno: '2' })], CTX_AREA_FK100: 'FK2', CTX_AREA_NK100: 'NK2' }, 'M'),
      ok({ output1: [dailyRow({ odno: '3' })], ctx_area_fk100: 'FK3', ctx_area_nk100: '' }, 'E'),
    ]);
    const orders = await adapter.getOrders({ tradingDate: '20260105' });
    expect(orders.map((order) => order.brokerOrderId)).toEqual(['1', '2', '3']);
    expect(
      transport.requests.map((request) => [
        request.trCont,
        request.query?.CTX_AREA_FK100,
        request.query?.CTX_AREA_NK100,
      ]),
    ).toEqual([
      [undefined, '', ''],
      ['N', 'FK1', 'NK1'],
      ['N', 'FK2', 'NK2'],
    ]);
  });

  it('stops at the page cap instead of looping for ever', async () => {
    const { adapter, transport } = adapterWith(() =>
      ok({ output1: [], ctx_area_fk100: 'F', ctx_area_nk100: 'N' }, 'M'),
    );
    await expect(adapter.getOrders({ tradingDate: '20260105' })).rejects.toMatchObject({
      code: 'INVALID_BROKER_RESPONSE',
    });
    expect(transport.requests.length).toBe(200);
  });

  it('an empty day has no output1', async () => {
    const { adapter } = adapterWith([ok({ ctx_area_fk100: '', ctx_area_nk100: '' }, 'D')]);
    expect(await adapter.getOrders({ tradingDate: '20260105' })).toEqual([]);
  });

  it('a row that does not validate is a clear error', async () => {
    const { adapter } = adapterWith([ok({ output1: [dailyRow({ ord_qty: 'ten' })] }, 'D')]);
    await expect(adapter.getOrders({ tradingDate: '20260105' })).rejects.toMatchObject({
      code: 'INVALID_BROKER_RESPONSE',
      message: expect.stringContaining('output1.0.ord_qty'),
    });
  });

  it('matches order numbers without leading zeros but returns them as sent', async () => {
    const { adapter } = adapterWith([
      ok({ output1: [dailyRow({ odno: '0000013903' }), dailyRow({ odno: '13904' })] }, 'D'),
    ]);
    const orders = await adapter.getOrders({ tradingDate: '20260105', brokerOrderId: '13903' });
    expect(orders.map((order) => order.brokerOrderId)).toEqual(['0000013903']);
  });

  it('maps statuses and kinds', async () => {
    const { adapter } = adapterWith([
      ok(
        {
          output1: [
            dailyRow({ odno: '1', tot_ccld_qty: '10', avg_prvs: '70050', rmn_qty: '0' }),
            dailyRow({ odno: '2', rjct_qty: '10', rmn_qty: '0' }),
            dailyRow({ odno: '3', ord_dvsn_cd: '01', ord_dvsn_name: '시장가', ord_unpr: '0' }),
            dailyRow({
              odno: '4',
              orgn_odno: '3',
              sll_buy_dvsn_cd_name: '매수정정*',
              ord_unpr: '69900',
            }),
            dailyRow({
              odno: '5',
              sll_buy_dvsn_cd: '01',
              tot_ccld_qty: '3',
              cnc_cfrm_qty: '7',
              rmn_qty: '0',
              avg_prvs: '70000',
            }),
          ],
        },
        'D',
      ),
    ]);
    const orders = await adapter.getOrders({ tradingDate: '20260105' });
    expect(
      orders.map((order) => [
        order.brokerOrderId,
        order.kind,
        order.type,
        order.side,
        order.status,
        order.limitPrice,
        order.averagePrice,
      ]),
    ).toEqual([
      ['1', 'order', 'limit', 'buy', 'filled', 70_000, 70_050],
      ['2', 'order', 'limit', 'buy', 'rejected', 70_000, null],
      ['3', 'order', 'market', 'buy', 'open', null, null],
      ['4', 'modify', 'limit', 'buy', 'open', 69_900, null],
      ['5', 'order', 'limit', 'sell', 'canceled', 70_000, 70_000],
    ]);
  });

  it('open orders on paper: daily-ccld with CCLD_DVSN 02', async () => {
    const { adapter, transport } = adapterWith([
      ok(
        {
          output1: [
            dailyRow({ odno: '1' }),
            dailyRow({ odno: '2', rmn_qty: '0', tot_ccld_qty: '10' }),
          ],
        },
        'D',
      ),
    ]);
    const orders = await adapter.getOrders({
      tradingDate: '20260105',
      openOnly: true,
      symbol: '005930',
    });
    expect(transport.requests[0]).toMatchObject({
      trId: 'VTTC0081R',
      query: { CCLD_DVSN: '02', PDNO: '005930' },
    });
    expect(orders.map((order) => order.brokerOrderId)).toEqual(['1']);
  });

  it('open orders on real today: inquire-psbl-rvsecncl (TTTC0084R)', async () => {
    const { adapter, transport } = adapterWith(
      [
        ok(
          {
            output: [
              {
                ord_gno_brno: '91252',
                odno: '0000437810',
                orgn_odno: '',
                ord_dvsn_name: '지정가',
                rvse_cncl_dvsn_name: '',
                pdno: '005930',
                ord_qty: '10',
                ord_unpr: '70000',
                ord_tmd: '101502',
                tot_ccld_qty: '4',
                tot_ccld_amt: '280000',
                psbl_qty: '6',
                sll_buy_dvsn_cd: '02',
                ord_dvsn_cd: '00',
              },
            ],
          },
          'D',
        ),
      ],
      'real',
    );
    const orders = await adapter.getOrders({ tradingDate: '20260105', openOnly: true });
    expect(transport.requests[0]).toEqual({
      method: 'GET',
      path: '/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl',
      trId: 'TTTC0084R',
      query: {
        CANO: '50123456',
        ACNT_PRDT_CD: '01',
        CTX_AREA_FK100: '',
        CTX_AREA_NK100: '',
        INQR_DVSN_1: '0',
        INQR_DVSN_2: '0',
      },
    });
    expect(orders).toEqual([
      expect.objectContaining({
        brokerOrderId: '0000437810',
        filledQuantity: 4,
        remainingQuantity: 6,
        averagePrice: 70_000,
        status: 'partially_filled',
        tradingDate: '20260105',
      }),
    ]);
  });

  it("reads each row's division (ord_dvsn_cd) and venue (excg_id_dvsn_Cd) back; real asks for every venue (ALL)", async () => {
    const { adapter, transport } = adapterWith(
      [
        ok(
          {
            output1: [
              dailyRow({ odno: '1', ord_dvsn_cd: '00' }),
              dailyRow({ odno: '2', ord_dvsn_cd: '03', ord_unpr: '0', excg_id_dvsn_Cd: 'NXT' }),
              dailyRow({ odno: '3', ord_dvsn_cd: '02' }),
              dailyRow({ odno: '4', ord_dvsn_cd: '07' }),
              dailyRow({
                odno: '5',
                ord_dvsn_cd: '11',
                excg_id_dvsn_Cd: 'SOR',
                tot_ccld_qty: '4',
                avg_prvs: '70000',
                cnc_cfrm_qty: '6',
                rmn_qty: '0',
              }),
              dailyRow({ odno: '6', ord_dvsn_cd: '16', ord_unpr: '0' }),
              dailyRow({ odno: '7', ord_dvsn_cd: '05', ord_unpr: '0' }),
              dailyRow({ odno: '8', ord_dvsn_cd: '13', ord_unpr: '0' }),
            ],
          },
          'D',
        ),
      ],
      'real',
    );
    const orders = await adapter.getOrders({ tradingDate: '20260105' });
    expect(transport.requests[0]?.query).toMatchObject({ EXCG_ID_DVSN_CD: 'ALL' });
    expect(
      orders.map((order) => ({
        id: order.brokerOrderId,
        type: order.type,
        limitPrice: order.limitPrice,
        priceCondition: order.priceCondition,
        executionCondition: order.executionCondition,
        session: order.session,
        venue: order.venue,
        status: order.status,
      })),
    ).toEqual([
      { id: '1', type: 'limit', limitPrice: 70_000, status: 'open' },
      {
        id: '2',
        type: 'limit',
        limitPrice: null,
        priceCondition: 'best',
        venue: 'NXT',
        status: 'open',
      },
      { id: '3', type: 'limit', limitPrice: 70_000, priceCondition: 'conditional', status: 'open' },
      { id: '4', type: 'limit', limitPrice: 70_000, session: 'single', status: 'open' },
      {
        id: '5',
        type: 'limit',
        limitPrice: 70_000,
        executionCondition: 'ioc',
        venue: 'SOR',
        // The exchange canceled the IOC remainder: canceled with its fills, nothing open.
        status: 'canceled',
      },
      {
        id: '6',
        type: 'limit',
        limitPrice: null,
        priceCondition: 'best',
        executionCondition: 'fok',
        status: 'open',
      },
      { id: '7', type: 'limit', limitPrice: null, session: 'pre', status: 'open' },
      { id: '8', type: 'market', limitPrice: null, executionCondition: 'ioc', status: 'open' },
    ]);
    // A plain KRX order carries none of the new fields (as before divisions).
    expect(Object.keys(orders[0] ?? {})).not.toContain('venue');
  });

  it('an open IOC order on real today (inquire-psbl-rvsecncl) keeps its division and venue', async () => {
    const { adapter } = adapterWith(
      [
        ok(
          {
            output: [
              {
                ord_gno_brno: '91252',
                odno: '9',
                orgn_odno: '',
                ord_dvsn_name: 'IOC지정가',
                rvse_cncl_dvsn_name: '',
                pdno: '005930',
                ord_qty: '10',
                ord_unpr: '70000',
                ord_tmd: '101502',
                tot_ccld_qty: '0',
                tot_ccld_amt: '0',
                psbl_qty: '10',
                sll_buy_dvsn_cd: '02',
                ord_dvsn_cd: '04',
                excg_id_dvsn_cd: 'NXT',
              },
            ],
          },
          'D',
        ),
      ],
      'real',
    );
    const [order] = await adapter.getOrders({ tradingDate: '20260105', openOnly: true });
    expect(order).toMatchObject({ priceCondition: 'priority', venue: 'NXT', limitPrice: null });
  });

  it('open orders on real for a past date use daily-ccld CCLD_DVSN 02', async () => {
    const { adapter, transport } = adapterWith([ok({ output1: [] }, 'D')], 'real');
    await adapter.getOrders({ tradingDate: '20260102', openOnly: true });
    expect(transport.requests[0]).toMatchObject({ trId: 'TTTC0081R', query: { CCLD_DVSN: '02' } });
  });

  it('"today" is the Seoul date whatever the machine time zone', async () => {
    // 2026-01-05 15:30 UTC is already 2026-01-06 00:30 in Seoul.
    const transport = createFakeTransport(
      [ok({ output: { ODNO: '1', KRX_FWDG_ORD_ORGNO: '1', ORD_TMD: '003000' } })],
      'paper',
    );
    const adapter = createKisOrderAdapter({
      transport,
      auth,
      environment: 'paper',
      clock: () => Date.UTC(2026, 0, 5, 15, 30),
    });
    const ack = await adapter.placeOrder({
      clientOrderId: 'c',
      symbol: '005930',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 70_000,
    });
    expect(ack).toMatchObject({ tradingDate: '20260106', acceptedAt: '2026-01-06T00:30:00+09:00' });
  });
});

describe('getBalance', () => {
  it('buying power for a symbol at a limit price (ORD_DVSN 00) and at market (ORD_DVSN 01, ORD_UNPR "0")', async () => {
    const answer = ok({
      output: {
        ord_psbl_cash: '1000000',
        psbl_qty_calc_unpr: '69000',
        nrcvb_buy_qty: '14',
        nrcvb_buy_amt: '966000',
        max_buy_qty: '14',
        max_buy_amt: '966000',
      },
    });
    const { adapter, transport } = adapterWith([answer, answer]);
    expect(await adapter.getBuyingPower('005930', 69_000)).toEqual({
      symbol: '005930',
      limitPrice: 69_000,
      unitPrice: 69_000,
      orderableCash: 1_000_000,
      quantity: 14,
      amount: 966_000,
      quantityWithCredit: 14,
      amountWithCredit: 966_000,
    });
    await adapter.getBuyingPower('005930', null);
    expect(transport.requests.map((request) => request.query)).toEqual([
      expect.objectContaining({ PDNO: '005930', ORD_DVSN: '00', ORD_UNPR: '69000' }),
      expect.objectContaining({ PDNO: '005930', ORD_DVSN: '01', ORD_UNPR: '0' }),
    ]);
    expect(transport.requests[0]?.trId).toBe('VTTC8908R');
  });

  it('buying power refuses a price off the tick or a bad symbol before sending', async () => {
    const { adapter, transport } = adapterWith([]);
    await expect(adapter.getBuyingPower('005930', 69_001)).rejects.toMatchObject({
      name: 'InvalidOrderError',
    });
    await expect(adapter.getBuyingPower('ABC', null)).rejects.toMatchObject({
      name: 'InvalidOrderError',
    });
    expect(transport.requests).toHaveLength(0);
  });

  it('combines inquire-balance and inquire-psbl-order', async () => {
    const { adapter, transport } = adapterWith([
      ok(
        {
          output1: [
            {
              pdno: '005930',
              prdt_name: '삼성전자',
              hldg_qty: '5',
              ord_psbl_qty: '5',
              pchs_avg_pric: '69500.0000',
              prpr: '70000',
              evlu_amt: '350000',
            },
            {
              pdno: '000660',
              prdt_name: 'SK하이닉스',
              hldg_qty: '0',
              ord_psbl_qty: '0',
              pchs_avg_pric: '0',
              prpr: '1',
              evlu_amt: '0',
            },
          ],
          output2: [{ dnca_tot_amt: '10000000', tot_evlu_amt: '10350000' }],
        },
        'D',
      ),
      ok({ output: { ord_psbl_cash: '9300000', nrcvb_buy_qty: '132' } }),
    ]);
    const balance = await adapter.getBalance();
    expect(balance).toEqual({
      cash: { currency: 'KRW', deposit: 10_000_000, orderable: 9_300_000, totalValue: 10_350_000 },
      positions: [
        {
          symbol: '005930',
          name: '삼성전자',
          quantity: 5,
          sellableQuantity: 5,
          averagePrice: 69_500,
          currentPrice: 70_000,
          marketValue: 350_000,
        },
      ],
    });
    expect(
      transport.requests.map((request) => [request.path, request.trId, request.query]),
    ).toEqual([
      [
        '/uapi/domestic-stock/v1/trading/inquire-balance',
        'VTTC8434R',
        {
          CANO: '50123456',
          ACNT_PRDT_CD: '01',
          AFHR_FLPR_YN: 'N',
          OFL_YN: '',
          INQR_DVSN: '02',
          UNPR_DVSN: '01',
          FUND_STTL_ICLD_YN: 'N',
          FNCG_AMT_AUTO_RDPT_YN: 'N',
          PRCS_DVSN: '00',
          CTX_AREA_FK100: '',
          CTX_AREA_NK100: '',
        },
      ],
      [
        '/uapi/domestic-stock/v1/trading/inquire-psbl-order',
        'VTTC8908R',
        {
          CANO: '50123456',
          ACNT_PRDT_CD: '01',
          PDNO: '005930',
          ORD_UNPR: '0',
          ORD_DVSN: '01',
          CMA_EVLU_AMT_ICLD_YN: 'N',
          OVRS_ICLD_YN: 'N',
        },
      ],
    ]);
  });

  it('a balance without output2 is a clear error', async () => {
    const { adapter } = adapterWith([ok({ output1: [] }, 'D')]);
    await expect(adapter.getBalance()).rejects.toMatchObject({ code: 'INVALID_BROKER_RESPONSE' });
  });
});

describe('getQuote (inquire-price)', () => {
  const priceAnswer = ok({
    output: {
      stck_prpr: '70000',
      stck_mxpr: '90900',
      stck_llam: '49000',
      stck_sdpr: '69900',
      aspr_unit: '100',
      prdy_vrss: '100',
    },
  });

  it.each(['paper', 'real'] as const)(
    'asks FHKST01010100 with market J and the symbol in %s and reads price and limits',
    async (environment) => {
      const { adapter, transport } = adapterWith([priceAnswer], environment);
      expect(adapter.capabilities.quote).toBe(true);
      expect(await adapter.getQuote('005930')).toEqual({
        symbol: '005930',
        price: 70_000,
        upperLimit: 90_900,
        lowerLimit: 49_000,
        basePrice: 69_900,
      });
      expect(transport.requests).toHaveLength(1);
      expect(transport.requests[0]).toMatchObject({
        method: 'GET',
        path: '/uapi/domestic-stock/v1/quotations/inquire-price',
        trId: 'FHKST01010100',
        query: { FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: '005930' },
      });
    },
  );

  it('refuses a malformed symbol before sending', async () => {
    const { adapter, transport } = adapterWith([]);
    await expect(adapter.getQuote('ABC')).rejects.toMatchObject({ name: 'InvalidOrderError' });
    expect(transport.requests).toHaveLength(0);
  });

  it('an answer without the limits is a parse failure, not a quote with zeros', async () => {
    const { adapter } = adapterWith([ok({ output: { stck_prpr: '70000' } })]);
    await expect(adapter.getQuote('005930')).rejects.toBeInstanceOf(Error);
  });
});
