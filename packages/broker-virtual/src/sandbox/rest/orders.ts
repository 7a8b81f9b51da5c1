// Order endpoints: order-cash (buy / sell) and order-rvsecncl (modify / cancel).
import { ORDER_DIVISION_RULES } from '@qts/order-contract';
import { ORD_DVSN_OF } from '../divisions.js';
import type { ExchangeOrder, ExchangeResult } from '../exchange-access.js';
import { kstTime } from '../kst.js';
import { kisJson, type WireOutcome, type WireResponse } from '../wire.js';
import {
  DIGITS,
  invalid,
  type RestScope,
  rejection,
  respond,
  SYMBOL,
  stripZeros,
  withFault,
} from './common.js';
import { orderFields } from './order-fields.js';
import { orderCashSide } from './routes.js';

export function orderEndpoints(ctx: RestScope) {
  const { accountKey, paper } = ctx;
  const { venueOf, exchangeCheck, divisionOf, priceOf } = orderFields(ctx);

  function orderOutput(order: ExchangeOrder): Record<string, string> {
    return {
      KRX_FWDG_ORD_ORGNO: order.branch,
      ODNO: order.orderNo,
      ORD_TMD: kstTime(order.orderedAt),
    };
  }

  function answerOrder(trId: string, result: ExchangeResult, okMsg: string): WireResponse {
    if (!result.ok) return rejection(trId, result.code, result.message);
    return kisJson(
      200,
      {
        rt_cd: '0',
        msg_cd: paper ? '40600000' : 'APBK0013',
        msg1: paper ? okMsg : '주문 전송 완료 되었습니다.',
        output: orderOutput(result.order),
      },
      { trId },
    );
  }

  function orderCash(trId: string, fields: Record<string, string>): WireOutcome {
    const side = orderCashSide(trId);
    const pdno = fields.PDNO ?? '';
    if (!SYMBOL.test(pdno))
      return respond(rejection(trId, 'APBK0656', '상품번호를 확인하여 주십시오.'));
    const division = divisionOf(trId, fields.ORD_DVSN ?? '');
    if (typeof division !== 'string') return respond(division);
    const rule = ORDER_DIVISION_RULES[division];
    const qtyText = fields.ORD_QTY ?? '';
    const quantity = DIGITS.test(qtyText) ? Number(qtyText) : 0;
    if (quantity <= 0) return respond(invalid(trId, '주문수량을 확인 하여 주십시요.'));
    const price = priceOf(trId, division, fields.ORD_UNPR ?? '');
    if (typeof price !== 'number') return respond(price);
    // SLL_TYPE is for sells only; KIS ignores it on buys, so does the sandbox.
    const venue = venueOf(trId, fields);
    if (typeof venue !== 'string') return respond(venue);
    if (!rule.venues.includes(venue)) {
      return respond(
        invalid(
          trId,
          `${venue} 에서는 ${rule.koreanName} 주문이 불가합니다. (ORD_DVSN ${ORD_DVSN_OF[division]}, EXCG_ID_DVSN_CD ${venue})`,
        ),
      );
    }
    const fault = ctx.exchange.takeFault('place');
    return withFault(fault, trId, () =>
      answerOrder(
        trId,
        ctx.exchange.place(accountKey, {
          symbol: pdno,
          side,
          type: rule.type,
          quantity,
          limitPrice: rule.limitPrice === 'required' ? price : null,
          division,
          venue,
        }),
        side === 'buy'
          ? '모의투자 매수주문이 완료 되었습니다.'
          : '모의투자 매도주문이 완료 되었습니다.',
      ),
    );
  }

  function orderRvsecncl(trId: string, fields: Record<string, string>): WireOutcome {
    const orgBranch = fields.KRX_FWDG_ORD_ORGNO ?? '';
    if (orgBranch === '') {
      return respond(invalid(trId, '주문조직번호(KRX_FWDG_ORD_ORGNO)를 입력하여 주십시오.'));
    }
    const original = fields.ORGN_ODNO ?? '';
    if (!DIGITS.test(original)) return respond(invalid(trId, '원주문번호를 확인하여 주십시오.'));
    const target = ctx.exchange
      .orders(accountKey, '00000000', '99999999')
      .find((order) => stripZeros(order.orderNo) === stripZeros(original));
    if (target === undefined || target.branch !== orgBranch) {
      return respond(invalid(trId, '원주문번호를 확인하여 주십시오.'));
    }
    const allText = fields.QTY_ALL_ORD_YN ?? '';
    if (allText !== 'Y' && allText !== 'N') {
      return respond(invalid(trId, '잔량전부주문여부(QTY_ALL_ORD_YN)를 확인하여 주십시오.'));
    }
    const qtyText = fields.ORD_QTY ?? '';
    if (!DIGITS.test(qtyText)) return respond(invalid(trId, '주문수량을 확인 하여 주십시요.'));
    const quantity: number | 'all' = allText === 'Y' ? 'all' : Number(qtyText);
    if (quantity !== 'all' && quantity <= 0) {
      return respond(invalid(trId, '주문수량을 확인 하여 주십시요.'));
    }
    const exchangeError = exchangeCheck(trId, fields);
    if (exchangeError !== null) return respond(exchangeError);
    const priceText = fields.ORD_UNPR ?? '';
    if (!DIGITS.test(priceText)) return respond(invalid(trId, '주문단가를 확인하여 주십시오.'));
    const dvsn = fields.RVSE_CNCL_DVSN_CD;
    if (dvsn === '02') {
      const fault = ctx.exchange.takeFault('cancel');
      return withFault(fault, trId, () =>
        answerOrder(
          trId,
          ctx.exchange.cancel(accountKey, target.orderNo, quantity),
          '모의투자 취소주문이 완료 되었습니다.',
        ),
      );
    }
    if (dvsn !== '01') {
      return respond(invalid(trId, '정정취소구분코드(RVSE_CNCL_DVSN_CD)를 확인하여 주십시오.'));
    }
    // A modify's ORD_DVSN is the division of the modified order (KIS: a modify changes the price
    // or the division); sending the order's own code keeps it. Where the exchange sets the price,
    // ORD_UNPR is "0" and the price it set stays.
    const division = divisionOf(trId, fields.ORD_DVSN ?? '');
    if (typeof division !== 'string') return respond(division);
    const rule = ORDER_DIVISION_RULES[division];
    if (!rule.rests) {
      return respond(
        invalid(
          trId,
          `${rule.koreanName} 주문으로는 정정할 수 없습니다. (ORD_DVSN ${ORD_DVSN_OF[division]})`,
        ),
      );
    }
    const price = priceOf(trId, division, priceText);
    if (typeof price !== 'number') return respond(price);
    const fault = ctx.exchange.takeFault('modify');
    return withFault(fault, trId, () =>
      answerOrder(
        trId,
        ctx.exchange.modify(accountKey, target.orderNo, {
          type: rule.type,
          division,
          limitPrice: rule.limitPrice === 'required' ? price : null,
          quantity,
        }),
        '모의투자 정정주문이 완료 되었습니다.',
      ),
    );
  }

  return { orderCash, orderRvsecncl };
}
