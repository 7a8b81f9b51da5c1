// Inquiry endpoints: inquire-daily-ccld, inquire-psbl-rvsecncl, inquire-balance,
// inquire-psbl-order and the inquire-price quotation.
import { krxDailyPriceLimits } from '@qts/order-contract';
import { ccldCndtName, ORD_DVSN_OF, ordDvsnName } from '../divisions.js';
import type { ExchangeOrder } from '../exchange-access.js';
import { kstDate, kstTime } from '../kst.js';
import { productName } from '../names.js';
import { kisJson } from '../wire.js';
import {
  DIGITS,
  inputFieldError,
  invalid,
  KRX_EXCHANGE_CODE,
  type RestScope,
  rejection,
  type SandboxRequest,
  SYMBOL,
  stripZeros,
  tick,
  toInt,
} from './common.js';
import { orderFields } from './order-fields.js';
import { ctxError, PAGE, pagedResponse, paginate } from './paging.js';

export function inquiryEndpoints(ctx: RestScope) {
  const { cano, acntPrdtCd, accountKey, okMessage } = ctx;
  const { venueOf } = orderFields(ctx);

  function averagePrice(order: ExchangeOrder): number {
    return order.filledQuantity > 0 ? order.filledAmount / order.filledQuantity : 0;
  }

  function dailyCcldRow(order: ExchangeOrder): Record<string, string> {
    const sideCode = order.side === 'sell' ? '01' : '02';
    const sideName = order.side === 'sell' ? '매도' : '매수';
    const kindName = order.kind === 'cancel' ? '취소' : order.kind === 'modify' ? '정정' : '';
    return {
      ord_dt: order.tradingDate,
      ord_gno_brno: order.branch,
      odno: order.orderNo,
      orgn_odno: order.originalOrderNo ?? '',
      ord_dvsn_name: ordDvsnName(order.division),
      sll_buy_dvsn_cd: sideCode,
      sll_buy_dvsn_cd_name: `${sideName}${kindName}`,
      pdno: order.symbol,
      prdt_name: productName(order.symbol),
      ord_qty: String(order.quantity),
      ord_unpr: String(order.limitPrice ?? 0),
      ord_tmd: kstTime(order.orderedAt),
      tot_ccld_qty: String(order.filledQuantity),
      avg_prvs: toInt(averagePrice(order)),
      cncl_yn: order.kind === 'cancel' ? 'Y' : 'N',
      tot_ccld_amt: toInt(order.filledAmount),
      loan_dt: '',
      ordr_empno: '',
      ord_dvsn_cd: ORD_DVSN_OF[order.division],
      cnc_cfrm_qty: String(order.canceledQuantity),
      rmn_qty: String(order.remainingQuantity),
      rjct_qty: String(order.rejectedQuantity),
      ccld_cndt_name: ccldCndtName(order.division),
      inqr_ip_addr: '',
      cpbc_ordp_ord_rcit_dvsn_cd: '',
      cpbc_ordp_infm_mthd_dvsn_cd: '',
      infm_tmd: '',
      ctac_tlno: '',
      prdt_type_cd: '300',
      excg_dvsn_cd: KRX_EXCHANGE_CODE,
      cpbc_ordp_mtrl_dvsn_cd: '',
      ord_orgno: '',
      rsvn_ord_end_dt: '',
      excg_id_dvsn_Cd: order.venue,
      stpm_cndt_pric: '0',
      stpm_efct_occr_dtmd: '',
    };
  }

  function inquireDailyCcld(trId: string, request: SandboxRequest, f: Record<string, string>) {
    const from = f.INQR_STRT_DT ?? '';
    const to = f.INQR_END_DT ?? '';
    if (!/^\d{8}$/.test(from) || !/^\d{8}$/.test(to)) {
      return invalid(trId, '조회일자(INQR_STRT_DT/INQR_END_DT)를 확인하여 주십시오.');
    }
    const sideFilter = f.SLL_BUY_DVSN_CD ?? '';
    const ccld = f.CCLD_DVSN ?? '';
    const order = f.INQR_DVSN ?? '';
    if (!['00', '01', '02'].includes(sideFilter)) {
      return invalid(trId, '매도매수구분코드(SLL_BUY_DVSN_CD)를 확인하여 주십시오.');
    }
    if (!['00', '01', '02'].includes(ccld)) {
      return invalid(trId, '체결구분(CCLD_DVSN)을 확인하여 주십시오.');
    }
    if (!['00', '01'].includes(order)) {
      return invalid(trId, '조회구분(INQR_DVSN)을 확인하여 주십시오.');
    }
    // EXCG_ID_DVSN_CD: KRX / NXT / SOR / ALL (official inquire_daily_ccld.py). A venue shows
    // the orders sent to it; ALL (or none) shows every order.
    const venueFilter = f.EXCG_ID_DVSN_CD === 'ALL' ? 'ALL' : venueOf(trId, f);
    if (typeof venueFilter !== 'string') return venueFilter;
    const venueOnly =
      f.EXCG_ID_DVSN_CD === undefined || f.EXCG_ID_DVSN_CD === '' ? 'ALL' : venueFilter;
    const pdno = f.PDNO ?? '';
    const odno = f.ODNO ?? '';
    const branchFilter = f.ORD_GNO_BRNO ?? '';
    // TTTC0081R / VTTC0081R hold the current month and the three before it, CTSC9215R /
    // VTSC9215R older dates (official inquire_daily_ccld.py): each answers for its own period.
    const months = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(4, 6));
    const thisMonth = months(kstDate(ctx.clock()));
    const period = trId.endsWith('0081R') ? 'recent' : trId.endsWith('9215R') ? 'old' : 'any';
    let rows = ctx.exchange.orders(accountKey, from, to).filter((o) => {
      const recent = thisMonth - months(o.tradingDate) <= 3;
      if (period === 'recent' && !recent) return false;
      if (period === 'old' && recent) return false;
      if (venueOnly !== 'ALL' && o.venue !== venueOnly) return false;
      if (sideFilter === '01' && o.side !== 'sell') return false;
      if (sideFilter === '02' && o.side !== 'buy') return false;
      if (pdno !== '' && o.symbol !== pdno) return false;
      if (odno !== '' && stripZeros(o.orderNo) !== stripZeros(odno)) return false;
      if (branchFilter !== '' && o.branch !== branchFilter) return false;
      if (ccld === '01' && o.filledQuantity <= 0) return false;
      if (ccld === '02' && o.remainingQuantity <= 0) return false;
      return true;
    });
    if (order === '00') rows = [...rows].reverse();
    const fk = [cano, acntPrdtCd, from, to, sideFilter, order, pdno, ccld, odno].join('^');
    const ctxFk = f.CTX_AREA_FK100 ?? '';
    const ctxNk = (f.CTX_AREA_NK100 ?? '').trim();
    if (ctxNk !== '' && ctxFk.trim() !== fk) return ctxError(trId);
    const page = paginate(
      rows,
      (o) => o.orderNo,
      PAGE['inquire-daily-ccld'][ctx.environment],
      ctxNk,
    );
    if (page === null) return ctxError(trId);
    const totalQty = rows.reduce((sum, o) => sum + o.quantity, 0);
    const totalFilled = rows.reduce((sum, o) => sum + o.filledQuantity, 0);
    const totalAmount = rows.reduce((sum, o) => sum + o.filledAmount, 0);
    return pagedResponse(ctx, trId, request, fk, page, {
      output1: page.rows.map(dailyCcldRow),
      output2: {
        tot_ord_qty: String(totalQty),
        tot_ccld_qty: String(totalFilled),
        tot_ccld_amt: toInt(totalAmount),
        prsm_tlex_smtl: '0',
        pchs_avg_pric: totalFilled > 0 ? (totalAmount / totalFilled).toFixed(4) : '0.0000',
      },
    });
  }

  function inquirePsblRvsecncl(trId: string, request: SandboxRequest, f: Record<string, string>) {
    const byStock = f.INQR_DVSN_1 === '1';
    const sideFilter = f.INQR_DVSN_2 ?? '0';
    let rows = ctx.exchange
      .orders(accountKey, '00000000', '99999999')
      .filter((o) => o.kind !== 'cancel' && o.remainingQuantity > 0)
      .filter((o) =>
        sideFilter === '1' ? o.side === 'sell' : sideFilter === '2' ? o.side === 'buy' : true,
      );
    if (byStock) rows = [...rows].sort((a, b) => a.symbol.localeCompare(b.symbol));
    const fk = [cano, acntPrdtCd, f.INQR_DVSN_1 ?? '', sideFilter].join('^');
    const ctxNk = (f.CTX_AREA_NK100 ?? '').trim();
    if (ctxNk !== '' && (f.CTX_AREA_FK100 ?? '').trim() !== fk) return ctxError(trId);
    const page = paginate(rows, (o) => o.orderNo, PAGE['inquire-psbl-rvsecncl'].real, ctxNk);
    if (page === null) return ctxError(trId);
    return pagedResponse(ctx, trId, request, fk, page, {
      output: page.rows.map((o) => ({
        ord_gno_brno: o.branch,
        odno: o.orderNo,
        orgn_odno: o.originalOrderNo ?? '',
        ord_dvsn_name: ordDvsnName(o.division),
        pdno: o.symbol,
        prdt_name: productName(o.symbol),
        rvse_cncl_dvsn_name: o.kind === 'modify' ? '정정' : '',
        ord_qty: String(o.quantity),
        ord_unpr: String(o.limitPrice ?? 0),
        ord_tmd: kstTime(o.orderedAt),
        tot_ccld_qty: String(o.filledQuantity),
        tot_ccld_amt: toInt(o.filledAmount),
        psbl_qty: String(o.remainingQuantity),
        sll_buy_dvsn_cd: o.side === 'sell' ? '01' : '02',
        ord_dvsn_cd: ORD_DVSN_OF[o.division],
        mgco_aptm_odno: '',
        excg_dvsn_cd: KRX_EXCHANGE_CODE,
        excg_id_dvsn_cd: o.venue,
        excg_id_dvsn_name: o.venue,
        stpm_cndt_pric: '0',
        stpm_efct_occr_yn: 'N',
      })),
    });
  }

  function inquireBalance(trId: string, request: SandboxRequest, f: Record<string, string>) {
    const balance = ctx.exchange.balance(accountKey);
    const positions = balance.positions.filter((p) => p.quantity > 0 || p.soldToday > 0);
    const fk = [cano, acntPrdtCd, f.INQR_DVSN ?? ''].join('^');
    const ctxNk = (f.CTX_AREA_NK100 ?? '').trim();
    if (ctxNk !== '' && (f.CTX_AREA_FK100 ?? '').trim() !== fk) return ctxError(trId);
    const page = paginate(
      positions,
      (p) => p.symbol,
      PAGE['inquire-balance'][ctx.environment],
      ctxNk,
    );
    if (page === null) return ctxError(trId);
    let stockValue = 0;
    let purchase = 0;
    for (const p of positions) {
      const price = p.lastPrice ?? p.averagePrice;
      stockValue += price * p.quantity;
      purchase += p.averagePrice * p.quantity;
    }
    const total = balance.cash + stockValue;
    // Today's traded amounts from today's fills; the core keeps no fees, loans or previous-day
    // snapshot, so those fields carry KIS's empty values ("0", "" or zero rates).
    const today = kstDate(ctx.clock());
    let boughtAmount = 0;
    let soldAmount = 0;
    for (const o of ctx.exchange.orders(accountKey, today, today)) {
      if (o.side === 'buy') boughtAmount += o.filledAmount;
      else soldAmount += o.filledAmount;
    }
    return pagedResponse(ctx, trId, request, fk, page, {
      output1: page.rows.map((p) => {
        const price = p.lastPrice ?? p.averagePrice;
        const value = price * p.quantity;
        const cost = p.averagePrice * p.quantity;
        const rate = cost > 0 ? ((value - cost) / cost) * 100 : 0;
        return {
          pdno: p.symbol,
          prdt_name: productName(p.symbol),
          trad_dvsn_name: '현금',
          bfdy_buy_qty: '0',
          bfdy_sll_qty: '0',
          thdt_buyqty: String(p.boughtToday),
          thdt_sll_qty: String(p.soldToday),
          hldg_qty: String(p.quantity),
          ord_psbl_qty: String(p.sellableQuantity),
          pchs_avg_pric: p.averagePrice.toFixed(4),
          pchs_amt: toInt(cost),
          prpr: toInt(price),
          evlu_amt: toInt(value),
          evlu_pfls_amt: toInt(value - cost),
          evlu_pfls_rt: rate.toFixed(2),
          evlu_erng_rt: rate.toFixed(8),
          loan_dt: '',
          loan_amt: '0',
          stln_slng_chgs: '0',
          expd_dt: '',
          fltt_rt: '0.00000000',
          bfdy_cprs_icdc: '0',
          item_mgna_rt_name: '',
          grta_rt_name: '',
          sbst_pric: '0',
          stck_loan_unpr: '0.0000',
        };
      }),
      output2: [
        {
          dnca_tot_amt: toInt(balance.cash),
          nxdy_excc_amt: toInt(balance.cash),
          prvs_rcdl_excc_amt: toInt(balance.cash),
          cma_evlu_amt: '0',
          bfdy_buy_amt: '0',
          thdt_buy_amt: toInt(boughtAmount),
          nxdy_auto_rdpt_amt: '0',
          bfdy_sll_amt: '0',
          thdt_sll_amt: toInt(soldAmount),
          d2_auto_rdpt_amt: '0',
          bfdy_tlex_amt: '0',
          thdt_tlex_amt: '0',
          tot_loan_amt: '0',
          scts_evlu_amt: toInt(stockValue),
          tot_evlu_amt: toInt(total),
          nass_amt: toInt(total),
          fncg_gld_auto_rdpt_yn: 'N',
          pchs_amt_smtl_amt: toInt(purchase),
          evlu_amt_smtl_amt: toInt(stockValue),
          evlu_pfls_smtl_amt: toInt(stockValue - purchase),
          tot_stln_slng_chgs: '0',
          bfdy_tot_asst_evlu_amt: '0',
          asst_icdc_amt: '0',
          asst_icdc_erng_rt: '0.00000000',
        },
      ],
    });
  }

  function inquirePsblOrder(trId: string, f: Record<string, string>) {
    const pdno = f.PDNO ?? '';
    if (!SYMBOL.test(pdno)) return rejection(trId, 'APBK0656', '상품번호를 확인하여 주십시오.');
    const cma = f.CMA_EVLU_AMT_ICLD_YN ?? '';
    if (cma !== 'Y' && cma !== 'N') return inputFieldError(trId, 'CMA_EVLU_AMT_ICLD_YN');
    const priceText = (f.ORD_UNPR ?? '').trim();
    if (priceText !== '' && !DIGITS.test(priceText)) {
      return invalid(trId, '주문단가를 확인하여 주십시오.');
    }
    const balance = ctx.exchange.balance(accountKey);
    let unitPrice = priceText === '' ? 0 : Number(priceText);
    if (unitPrice <= 0) {
      // Market-type: KIS prices the margin at the upper limit (+30 %), rounded down to the tick.
      const reference = ctx.exchange.referencePrice(pdno);
      if (reference !== null) {
        const upper = reference * 1.3;
        unitPrice = Math.floor(upper / tick(upper)) * tick(upper);
      }
    }
    const cash = Math.max(0, balance.orderableCash);
    const qty = unitPrice > 0 ? Math.floor(cash / unitPrice) : 0;
    return kisJson(
      200,
      {
        output: {
          ord_psbl_cash: toInt(cash),
          ord_psbl_sbst: '0',
          ruse_psbl_amt: '0',
          fund_rpch_chgs: '0',
          psbl_qty_calc_unpr: toInt(unitPrice),
          nrcvb_buy_amt: toInt(qty * unitPrice),
          nrcvb_buy_qty: String(qty),
          max_buy_amt: toInt(qty * unitPrice),
          max_buy_qty: String(qty),
          cma_evlu_amt: '0',
          ovrs_re_use_amt_wcrc: '0',
          ord_psbl_frcr_amt_wcrc: '0',
        },
        rt_cd: '0',
        msg_cd: okMessage.code,
        msg1: okMessage.msg,
      },
      { trId },
    );
  }

  /**
   * inquire-price: the reference price is the current price AND the previous close (기준가), so
   * the day's limits are ±30 % of the reference price on the tick and move with it.
   */
  function inquirePrice(trId: string, f: Record<string, string>) {
    if ((f.FID_COND_MRKT_DIV_CODE ?? '') !== 'J') {
      return inputFieldError(trId, 'FID_COND_MRKT_DIV_CODE');
    }
    const symbol = f.FID_INPUT_ISCD ?? '';
    if (!SYMBOL.test(symbol)) return inputFieldError(trId, 'FID_INPUT_ISCD');
    const reference = ctx.exchange.referencePrice(symbol);
    if (reference === null) {
      return invalid(
        trId,
        `종목 ${symbol} 의 기준가가 없습니다 (sandbox: set one with POST /qts-sandbox/price).`,
      );
    }
    const { upperLimit, lowerLimit } = krxDailyPriceLimits(
      reference,
      symbol.startsWith('Q') ? 'etn' : undefined,
    );
    return kisJson(
      200,
      {
        output: {
          stck_shrn_iscd: symbol,
          stck_prpr: toInt(reference),
          prdy_vrss: '0',
          prdy_vrss_sign: '3',
          prdy_ctrt: '0.00',
          stck_oprc: toInt(reference),
          stck_hgpr: toInt(reference),
          stck_lwpr: toInt(reference),
          stck_mxpr: toInt(upperLimit),
          stck_llam: toInt(lowerLimit),
          stck_sdpr: toInt(reference),
          aspr_unit: String(tick(reference)),
          acml_vol: '0',
          acml_tr_pbmn: '0',
        },
        rt_cd: '0',
        msg_cd: okMessage.code,
        msg1: okMessage.msg,
      },
      { trId },
    );
  }

  return { inquireDailyCcld, inquirePsblRvsecncl, inquireBalance, inquirePsblOrder, inquirePrice };
}
