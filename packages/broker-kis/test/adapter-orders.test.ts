import { KisAuthError, KisConfigError, KisTransportError } from '@qts/auth-phase2';
import { ORDER_DIVISIONS, type OrderRef, type OrderRequest } from '@qts/order-contract';
import { describe, expect, it } from 'vitest';
import { createKisOrderAdapter } from '../src/index.js';
import {
  createFakeTransport,
  dailyRow,
  type FakeAnswer,
  FIXED_NOW,
  ok,
  refusal,
} from './helpers.js';

const auth = { getApprovalKey: async () => 'approval-key' };

function adapterWith(answers: FakeAnswer[], environment: 'real' | 'paper' = 'paper') {
  const transport = createFakeTransport(answers, environment);
  const adapter = createKisOrderAdapter({ transport, auth, environment, clock: () => FIXED_NOW });
  return { transport, adapter };
}

const buy: OrderRequest = {
  clientOrderId: 'c1',
  symbol: '005930',
  side: 'buy',
  quantity: 10,
  type: 'limit',
  limitPrice: 70_000,
};

const placed = ok({
  output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000437810', ORD_TMD: '101502' },
});

const ref: OrderRef = {
  brokerOrderId: '0000437810',
  brokerBranch: '91252',
  symbol: '005930',
  side: 'buy',
  type: 'limit',
  quantity: 10,
  limitPrice: 70_000,
  tradingDate: '20260105',
};

async function failure(action: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await action();
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected a failure');
}

describe('createKisOrderAdapter', () => {
  it('describes itself', () => {
    const { adapter } = adapterWith([]);
    expect(adapter.specificationVersion).toBe('v1');
    expect(adapter.name).toBe('kis');
    expect(adapter.capabilities).toEqual({
      modify: true,
      openOrderInquiry: true,
      notices: true,
      balance: true,
      marketOrders: true,
      quote: true,
      orderOptions: {
        divisions: ['limit', 'market', 'conditional', 'best', 'priority'],
        venues: ['KRX'],
      },
    });
  });

  it('declares every division on KRX, NXT and SOR in real trading (docs/order-types.md)', () => {
    const transport = createFakeTransport([], 'real');
    const adapter = createKisOrderAdapter({ transport, auth, environment: 'real' });
    expect(adapter.capabilities.orderOptions).toEqual({
      divisions: [...ORDER_DIVISIONS],
      venues: ['KRX', 'NXT', 'SOR'],
    });
  });

  it('refuses an environment that does not match the transport', () => {
    const transport = createFakeTransport([], 'real');
    expect(() => createKisOrderAdapter({ transport, auth, environment: 'paper' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', code: 'CONFIG' }),
    );
  });
});

describe('placeOrder', () => {
  it('sends order-cash with the current TR id and keeps ODNO, branch and ORD_TMD in the ack', async () => {
    const { adapter, transport } = adapterWith([placed]);
    const ack = await adapter.placeOrder(buy);
    expect(transport.requests).toEqual([
      {
        method: 'POST',
        path: '/uapi/domestic-stock/v1/trading/order-cash',
        trId: 'VTTC0012U',
        body: {
          CANO: '50123456',
          ACNT_PRDT_CD: '01',
          PDNO: '005930',
          ORD_DVSN: '00',
          ORD_QTY: '10',
          ORD_UNPR: '70000',
          EXCG_ID_DVSN_CD: 'KRX',
        },
      },
    ]);
    expect(ack).toEqual({
      brokerOrderId: '0000437810',
      brokerBranch: '91252',
      originalBrokerOrderId: null,
      acceptedAt: '2026-01-05T10:15:02+09:00',
      tradingDate: '20260105',
      brokerCode: 'MCA00000',
      brokerMessage: '정상처리 되었습니다.',
    });
  });

  it.each([
    ['real', 'buy', 'TTTC0012U'],
    ['real', 'sell', 'TTTC0011U'],
    ['paper', 'buy', 'VTTC0012U'],
    ['paper', 'sell', 'VTTC0011U'],
  ] as const)('%s %s uses %s', async (environment, side, trId) => {
    const { adapter, transport } = adapterWith([placed], environment);
    await adapter.placeOrder({ ...buy, side });
    expect(transport.requests[0]?.trId).toBe(trId);
  });

  it('sends a market order as ORD_DVSN 01 with ORD_UNPR "0"', async () => {
    const { adapter, transport } = adapterWith([placed]);
    await adapter.placeOrder({ ...buy, type: 'market', limitPrice: null });
    expect(transport.requests[0]?.body).toMatchObject({ ORD_DVSN: '01', ORD_UNPR: '0' });
  });

  it('accepts output keys in lower case', async () => {
    const { adapter } = adapterWith([
      ok({ output: { krx_fwdg_ord_orgno: '00950', odno: '47589', ord_tmd: '090001' } }),
    ]);
    const ack = await adapter.placeOrder(buy);
    expect(ack).toMatchObject({ brokerOrderId: '47589', brokerBranch: '00950' });
  });

  it('validates before sending: InvalidOrderError, zero requests', async () => {
    const { adapter, transport } = adapterWith([]);
    const error = await failure(() => adapter.placeOrder({ ...buy, limitPrice: 70_001 }));
    expect(error).toMatchObject({ name: 'InvalidOrderError', outcome: 'not_placed' });
    expect(transport.requests).toHaveLength(0);
  });

  it.each([
    ['APBK0952', '주문가능금액을 초과 했습니다   ', 'INSUFFICIENT_FUNDS', 200],
    ['40580000', '모의투자 장종료 입니다.', 'MARKET_CLOSED', 200],
    ['EGW00201', '초당 거래건수를 초과하였습니다.', 'RATE_LIMITED', 500],
    ['EGW02006', '모의투자 TR 이 아닙니다.', 'ENVIRONMENT_MISMATCH', 500],
    ['ZZZZ9999', 'something new', 'BROKER_REJECTED', 200],
  ])('a KIS refusal %s is a BrokerRejectedError %s', async (msgCd, msg1, code, status) => {
    const { adapter } = adapterWith([refusal(msgCd, msg1, '7', status)]);
    const error = await failure(() => adapter.placeOrder(buy));
    expect(error).toMatchObject({
      name: 'BrokerRejectedError',
      outcome: 'rejected',
      code,
      brokerCode: msgCd,
      brokerMessage: msg1.replace(/\s+$/, ''),
    });
  });

  it('an answer that does not validate is OutcomeUnknownError INVALID_BROKER_RESPONSE', async () => {
    const { adapter } = adapterWith([ok({ output: { ODNO: '1' } })]);
    const error = await failure(() => adapter.placeOrder(buy));
    expect(error).toMatchObject({
      name: 'OutcomeUnknownError',
      code: 'INVALID_BROKER_RESPONSE',
      outcome: 'unknown',
    });
  });

  it('maps transport errors by phase', async () => {
    const notSent = new KisTransportError('x', { phase: 'not-sent', reason: 'connection-refused' });
    const sent = new KisTransportError('y', { phase: 'sent', reason: 'response-timeout' });
    const aborted = new KisTransportError('z', { phase: 'not-sent', reason: 'aborted' });
    const { adapter } = adapterWith([{ throws: notSent }, { throws: sent }, { throws: aborted }]);
    expect(await failure(() => adapter.placeOrder(buy))).toMatchObject({
      name: 'RouteUnavailableError',
      code: 'ROUTE_UNAVAILABLE',
      outcome: 'not_placed',
    });
    expect(await failure(() => adapter.placeOrder(buy))).toMatchObject({
      name: 'OutcomeUnknownError',
      code: 'OUTCOME_UNKNOWN',
      outcome: 'unknown',
    });
    expect(await failure(() => adapter.placeOrder(buy))).toMatchObject({
      name: 'RouteUnavailableError',
      code: 'ABORTED',
    });
  });

  it('maps token-endpoint and config errors', async () => {
    const tooSoon = new KisAuthError('token', {
      errorCode: 'EGW00133',
      errorDescription: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)',
    });
    const refused = new KisAuthError('token', { errorCode: 'SBX00002', errorDescription: 'no' });
    const config = new KisConfigError('bad account', { field: 'account' });
    const { adapter } = adapterWith([{ throws: tooSoon }, { throws: refused }, { throws: config }]);
    expect(await failure(() => adapter.placeOrder(buy))).toMatchObject({
      name: 'BrokerRejectedError',
      code: 'RATE_LIMITED',
      brokerCode: 'EGW00133',
    });
    expect(await failure(() => adapter.placeOrder(buy))).toMatchObject({
      name: 'BrokerRejectedError',
      code: 'AUTH',
      brokerCode: 'SBX00002',
    });
    expect(await failure(() => adapter.placeOrder(buy))).toMatchObject({
      name: 'ConfigError',
      code: 'CONFIG',
    });
  });
});

describe('cancelOrder / modifyOrder', () => {
  const revised = ok({
    output: { krx_fwdg_ord_orgno: '91252', odno: '0000437811', ord_tmd: '101510' },
  });

  it('cancels all remaining: RVSE_CNCL_DVSN_CD 02, QTY_ALL_ORD_YN Y, ORD_QTY/ORD_UNPR "0"', async () => {
    const { adapter, transport } = adapterWith([revised], 'real');
    const ack = await adapter.cancelOrder(ref);
    expect(transport.requests[0]).toEqual({
      method: 'POST',
      path: '/uapi/domestic-stock/v1/trading/order-rvsecncl',
      trId: 'TTTC0013U',
      body: {
        CANO: '50123456',
        ACNT_PRDT_CD: '01',
        KRX_FWDG_ORD_ORGNO: '91252',
        ORGN_ODNO: '0000437810',
        ORD_DVSN: '00',
        RVSE_CNCL_DVSN_CD: '02',
        ORD_QTY: '0',
        ORD_UNPR: '0',
        QTY_ALL_ORD_YN: 'Y',
        EXCG_ID_DVSN_CD: 'KRX',
      },
    });
    expect(ack).toMatchObject({
      brokerOrderId: '0000437811',
      originalBrokerOrderId: '0000437810',
      acceptedAt: '2026-01-05T10:15:10+09:00',
    });
  });

  it('modifies the price of all remaining shares', async () => {
    const { adapter, transport } = adapterWith([revised]);
    await adapter.modifyOrder(ref, { limitPrice: 69_900 });
    expect(transport.requests[0]).toMatchObject({
      trId: 'VTTC0013U',
      body: {
        RVSE_CNCL_DVSN_CD: '01',
        ORD_DVSN: '00',
        ORD_QTY: '0',
        ORD_UNPR: '69900',
        QTY_ALL_ORD_YN: 'Y',
      },
    });
  });

  it('a new remaining quantity with a new price: inquiry, partial cancel of the difference, modify of all the rest', async () => {
    const { adapter, transport } = adapterWith([
      ok({ output1: [dailyRow({ rmn_qty: '10' })] }),
      ok({ output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000437811', ORD_TMD: '101510' } }),
      ok({ output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000437812', ORD_TMD: '101511' } }),
    ]);
    const ack = await adapter.modifyOrder(ref, { quantity: 4, limitPrice: 69_900 });
    expect(transport.requests.map((request) => request.trId)).toEqual([
      'VTTC0081R',
      'VTTC0013U',
      'VTTC0013U',
    ]);
    expect(transport.requests[1]?.body).toMatchObject({
      RVSE_CNCL_DVSN_CD: '02',
      ORGN_ODNO: '0000437810',
      ORD_QTY: '6',
      ORD_UNPR: '0',
      QTY_ALL_ORD_YN: 'N',
    });
    expect(transport.requests[2]?.body).toMatchObject({
      RVSE_CNCL_DVSN_CD: '01',
      ORGN_ODNO: '0000437810',
      ORD_QTY: '0',
      ORD_UNPR: '69900',
      QTY_ALL_ORD_YN: 'Y',
    });
    expect(ack).toMatchObject({ brokerOrderId: '0000437812', originalBrokerOrderId: '0000437810' });
  });

  it('checks the open quantity KIS reports, not the original size (real: inquire-psbl-rvsecncl)', async () => {
    const { adapter, transport } = adapterWith(
      [
        ok({
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
              tot_ccld_qty: '3',
              tot_ccld_amt: '210000',
              psbl_qty: '7',
              sll_buy_dvsn_cd: '02',
              ord_dvsn_cd: '00',
            },
          ],
        }),
        revised,
      ],
      'real',
    );
    await adapter.modifyOrder(ref, { quantity: 4 });
    expect(transport.requests.map((request) => request.trId)).toEqual(['TTTC0084R', 'TTTC0013U']);
    // 7 open, 4 wanted: cancel 3.
    expect(transport.requests[1]?.body).toMatchObject({ RVSE_CNCL_DVSN_CD: '02', ORD_QTY: '3' });
  });

  it('a quantity-only change is one partial cancel; the ack names the order that stays live', async () => {
    const { adapter, transport } = adapterWith([ok({ output1: [dailyRow()] }), revised]);
    const ack = await adapter.modifyOrder(ref, { quantity: 4 });
    expect(transport.requests).toHaveLength(2);
    expect(transport.requests[1]?.body).toMatchObject({
      RVSE_CNCL_DVSN_CD: '02',
      ORD_QTY: '6',
      QTY_ALL_ORD_YN: 'N',
    });
    expect(ack).toMatchObject({ brokerOrderId: '0000437810', originalBrokerOrderId: '0000437810' });
  });

  it('refuses a new remaining quantity above what is still open, after the inquiry only', async () => {
    const { adapter, transport } = adapterWith([
      ok({ output1: [dailyRow({ tot_ccld_qty: '8', avg_prvs: '70000', rmn_qty: '2' })] }),
    ]);
    expect(await failure(() => adapter.modifyOrder(ref, { quantity: 4 }))).toMatchObject({
      name: 'InvalidOrderError',
      issues: [expect.objectContaining({ code: 'modify-quantity-above-open' })],
    });
    expect(transport.requests).toHaveLength(1);
  });

  it('an order that filled before the modify: ORDER_NOT_OPEN with the fills, nothing sent', async () => {
    const { adapter, transport } = adapterWith([
      ok({ output1: [dailyRow({ tot_ccld_qty: '10', avg_prvs: '59000', rmn_qty: '0' })] }),
    ]);
    const error = await failure(() => adapter.modifyOrder(ref, { quantity: 4 }));
    expect(error).toMatchObject({
      name: 'BrokerRejectedError',
      code: 'ORDER_NOT_OPEN',
      outcome: 'rejected',
      details: expect.objectContaining({ filledQuantity: 10, averagePrice: 59_000 }),
    });
    expect(String(error.message)).toContain('filled 10 @ 59,000 before your modify');
    expect(transport.requests).toHaveLength(1);
  });

  it('a cancel KIS refuses because the order filled first: ORDER_NOT_OPEN keeping KIS code and message', async () => {
    const { adapter, transport } = adapterWith([
      refusal('APBK9999', '정정/취소할 수량이 없습니다'),
      ok({
        output1: [dailyRow({ tot_ccld_qty: '5', avg_prvs: '59000', rmn_qty: '0', ord_qty: '5' })],
      }),
    ]);
    const error = await failure(() => adapter.cancelOrder(ref));
    expect(error).toMatchObject({
      code: 'ORDER_NOT_OPEN',
      brokerCode: 'APBK9999',
      brokerMessage: '정정/취소할 수량이 없습니다',
      details: expect.objectContaining({ filledQuantity: 5, averagePrice: 59_000 }),
    });
    expect(String(error.message)).toContain('filled 5 @ 59,000 before your cancel');
    expect(transport.requests.map((request) => request.trId)).toEqual(['VTTC0013U', 'VTTC0081R']);
  });

  it('a refusal while shares are still open stays the refusal', async () => {
    const { adapter } = adapterWith([
      refusal('APBK0918', '장운영시간이 아닙니다'),
      ok({ output1: [dailyRow()] }),
    ]);
    expect(await failure(() => adapter.cancelOrder(ref))).toMatchObject({
      code: 'MARKET_CLOSED',
      brokerCode: 'APBK0918',
    });
  });

  it('when the second step fails: REVISION_INCOMPLETE saying the partial cancel went through', async () => {
    const { adapter } = adapterWith([
      ok({ output1: [dailyRow()] }),
      ok({ output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000437811', ORD_TMD: '101510' } }),
      refusal('APBK0918', '장운영시간이 아닙니다'),
      ok({ output1: [dailyRow({ rmn_qty: '4', cnc_cfrm_qty: '6' })] }),
    ]);
    const error = await failure(() =>
      adapter.modifyOrder(ref, { quantity: 4, limitPrice: 69_900 }),
    );
    expect(error).toMatchObject({
      name: 'BrokerRejectedError',
      code: 'REVISION_INCOMPLETE',
      brokerCode: 'APBK0918',
      details: expect.objectContaining({
        completedStep: 'cancel',
        canceledQuantity: 6,
        cancelBrokerOrderId: '0000437811',
        failedStep: 'modify',
        remainingQuantity: 4,
      }),
    });
    expect(String(error.message)).toContain('6 shares were canceled');
    expect(String(error.message)).toContain('4 shares stay open at the old price 70,000');
  });

  it('when the second step has no answer: OutcomeUnknownError that still names the completed cancel', async () => {
    const { adapter } = adapterWith([
      ok({ output1: [dailyRow()] }),
      ok({ output: { KRX_FWDG_ORD_ORGNO: '91252', ODNO: '0000437811', ORD_TMD: '101510' } }),
      { throws: new KisTransportError('t', { phase: 'sent', reason: 'reset' }) },
      ok({ output1: [dailyRow({ rmn_qty: '4', cnc_cfrm_qty: '6' })] }),
    ]);
    const error = await failure(() =>
      adapter.modifyOrder(ref, { quantity: 4, limitPrice: 69_900 }),
    );
    expect(error).toMatchObject({
      name: 'OutcomeUnknownError',
      details: expect.objectContaining({ completedStep: 'cancel', canceledQuantity: 6 }),
    });
  });

  it('a fill between the two steps: the modify moves whatever is left (QTY_ALL_ORD_YN Y)', async () => {
    const { adapter, transport } = adapterWith([ok({ output1: [dailyRow()] }), revised, revised]);
    await adapter.modifyOrder(ref, { quantity: 4, limitPrice: 69_900 });
    expect(transport.requests[2]?.body).toMatchObject({ QTY_ALL_ORD_YN: 'Y', ORD_QTY: '0' });
  });

  it('refuses an empty or off-tick modify before sending', async () => {
    const { adapter, transport } = adapterWith([]);
    expect(await failure(() => adapter.modifyOrder(ref, {}))).toMatchObject({
      name: 'InvalidOrderError',
    });
    expect(await failure(() => adapter.modifyOrder(ref, { limitPrice: 69_901 }))).toMatchObject({
      name: 'InvalidOrderError',
    });
    expect(await failure(() => adapter.modifyOrder(ref, { quantity: 11 }))).toMatchObject({
      name: 'InvalidOrderError',
    });
    expect(transport.requests).toHaveLength(0);
  });

  it('looks the branch up by inquiry when the ref has none', async () => {
    const { adapter, transport } = adapterWith([
      ok({
        output1: [
          {
            ord_dt: '20260105',
            ord_gno_brno: '91252',
            odno: '437810',
            orgn_odno: '',
            sll_buy_dvsn_cd: '02',
            pdno: '005930',
            ord_qty: '10',
            ord_unpr: '70000',
            ord_tmd: '101502',
            tot_ccld_qty: '0',
            avg_prvs: '0',
            ord_dvsn_cd: '00',
            rmn_qty: '10',
          },
        ],
      }),
      revised,
    ]);
    await adapter.cancelOrder({ ...ref, brokerBranch: null });
    expect(transport.requests.map((request) => request.trId)).toEqual(['VTTC0081R', 'VTTC0013U']);
    expect(transport.requests[1]?.body).toMatchObject({ KRX_FWDG_ORD_ORGNO: '91252' });
  });

  it('an unanswered cancel is unknown; a malformed one too', async () => {
    const { adapter } = adapterWith([
      { throws: new KisTransportError('t', { phase: 'sent', reason: 'reset' }) },
      ok({ output: {} }),
    ]);
    expect(await failure(() => adapter.cancelOrder(ref))).toMatchObject({
      name: 'OutcomeUnknownError',
    });
    expect(await failure(() => adapter.cancelOrder(ref))).toMatchObject({
      code: 'INVALID_BROKER_RESPONSE',
    });
  });
});
