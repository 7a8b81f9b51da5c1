// Order fields every order request reads the same way: the venue (EXCG_ID_DVSN_CD), the division
// (ORD_DVSN) and the price (ORD_UNPR), each with the refusal KIS gives.
import { ORDER_DIVISION_RULES, type OrderDivision, type Venue } from '@qts/order-contract';
import {
  divisionOfOrdDvsn,
  ORD_DVSN_OF,
  ordDvsnName,
  PAPER_ORD_DVSN,
  UNSERVED_ORD_DVSN,
} from '../divisions.js';
import type { WireResponse } from '../wire.js';
import { DIGITS, invalid, notInPaper, type RestScope } from './common.js';

export function orderFields(ctx: RestScope) {
  const { paper } = ctx;

  /** The venue a request names (absent or empty: KRX), or the refusal. */
  function venueOf(trId: string, fields: Record<string, string>): Venue | WireResponse {
    const exchange = fields.EXCG_ID_DVSN_CD;
    if (exchange === undefined || exchange === '' || exchange === 'KRX') return 'KRX';
    if (exchange === 'NXT' || exchange === 'SOR') {
      if (!paper) return exchange;
      return notInPaper(
        trId,
        `모의투자에서는 KRX 주문만 가능합니다. (EXCG_ID_DVSN_CD ${exchange})`,
      );
    }
    return invalid(trId, `거래소ID구분코드(EXCG_ID_DVSN_CD)를 확인하여 주십시오. (${exchange})`);
  }

  function exchangeCheck(trId: string, fields: Record<string, string>): WireResponse | null {
    const venue = venueOf(trId, fields);
    return typeof venue === 'string' ? null : venue;
  }

  function divisionOf(trId: string, ordDvsn: string): OrderDivision | WireResponse {
    const division = divisionOfOrdDvsn(ordDvsn);
    if (division === undefined) {
      if (UNSERVED_ORD_DVSN.has(ordDvsn)) {
        return invalid(
          trId,
          `샌드박스는 중간가(21, 23, 24)와 스톱지정가(22) 주문을 지원하지 않습니다. (ORD_DVSN ${ordDvsn})`,
        );
      }
      return invalid(trId, `주문구분(ORD_DVSN)을 확인하여 주십시오.`);
    }
    if (paper && !PAPER_ORD_DVSN.has(ordDvsn)) {
      return notInPaper(
        trId,
        `모의투자에서는 해당주문구분이 불가합니다. (ORD_DVSN ${ordDvsn} ${ordDvsnName(division)})`,
      );
    }
    return division;
  }

  /** ORD_UNPR of a division: "0" where the exchange sets the price, a price above 0 otherwise. */
  function priceOf(
    trId: string,
    division: OrderDivision,
    priceText: string,
  ): number | WireResponse {
    if (!DIGITS.test(priceText)) return invalid(trId, '주문단가를 확인하여 주십시오.');
    const price = Number(priceText);
    const rule = ORDER_DIVISION_RULES[division];
    if (rule.limitPrice === 'required' && price <= 0) {
      return invalid(trId, '주문단가를 확인하여 주십시오.');
    }
    if (rule.limitPrice === 'forbidden' && price !== 0) {
      return invalid(
        trId,
        `${rule.koreanName} 주문은 주문단가를 0으로 입력하여 주십시오. (ORD_DVSN ${ORD_DVSN_OF[division]})`,
      );
    }
    return price;
  }

  return { venueOf, exchangeCheck, divisionOf, priceOf };
}
