// The column lists of the official KIS Python sample (koreainvestment/open-trading-api,
// examples_llm/domestic_stock/*/chk_*.py COLUMN_MAPPING): every field is present and a string in
// both environments, and the values the exchange core knows are computed.
import { afterEach, describe, expect, it } from 'vitest';
import { type KisSandbox, startKisSandbox } from '../../src/sandbox/index.js';
import { account, issueToken, kisGet, placeOrder, TRADING, trIdOf } from './helpers.js';

const BALANCE_OUTPUT1 = [
  'pdno',
  'prdt_name',
  'trad_dvsn_name',
  'bfdy_buy_qty',
  'bfdy_sll_qty',
  'thdt_buyqty',
  'thdt_sll_qty',
  'hldg_qty',
  'ord_psbl_qty',
  'pchs_avg_pric',
  'pchs_amt',
  'prpr',
  'evlu_amt',
  'evlu_pfls_amt',
  'evlu_pfls_rt',
  'evlu_erng_rt',
  'loan_dt',
  'loan_amt',
  'stln_slng_chgs',
  'expd_dt',
  'fltt_rt',
  'bfdy_cprs_icdc',
  'item_mgna_rt_name',
  'grta_rt_name',
  'sbst_pric',
  'stck_loan_unpr',
] as const;

const BALANCE_OUTPUT2 = [
  'dnca_tot_amt',
  'nxdy_excc_amt',
  'prvs_rcdl_excc_amt',
  'cma_evlu_amt',
  'bfdy_buy_amt',
  'thdt_buy_amt',
  'nxdy_auto_rdpt_amt',
  'bfdy_sll_amt',
  'thdt_sll_amt',
  'd2_auto_rdpt_amt',
  'bfdy_tlex_amt',
  'thdt_tlex_amt',
  'tot_loan_amt',
  'scts_evlu_amt',
  'tot_evlu_amt',
  'nass_amt',
  'fncg_gld_auto_rdpt_yn',
  'pchs_amt_smtl_amt',
  'evlu_amt_smtl_amt',
  'evlu_pfls_smtl_amt',
  'tot_stln_slng_chgs',
  'bfdy_tot_asst_evlu_amt',
  'asst_icdc_amt',
  'asst_icdc_erng_rt',
] as const;

const PSBL_ORDER_OUTPUT = [
  'ord_psbl_cash',
  'ord_psbl_sbst',
  'ruse_psbl_amt',
  'fund_rpch_chgs',
  'psbl_qty_calc_unpr',
  'nrcvb_buy_amt',
  'nrcvb_buy_qty',
  'max_buy_amt',
  'max_buy_qty',
  'cma_evlu_amt',
  'ovrs_re_use_amt_wcrc',
  'ord_psbl_frcr_amt_wcrc',
] as const;

const open: KisSandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

function expectStrings(row: unknown, fields: readonly string[]): Record<string, string> {
  expect(row).toBeTypeOf('object');
  const record = row as Record<string, unknown>;
  for (const field of fields) {
    expect(record, field).toHaveProperty(field);
    expect(typeof record[field], field).toBe('string');
  }
  return record as Record<string, string>;
}

describe.each(['real', 'paper'] as const)('official sample column lists (%s)', (environment) => {
  it('inquire-balance output1 / output2 and inquire-psbl-order output', async () => {
    const sb = await startKisSandbox({ environment, port: 0, rateLimitPerSecond: null });
    open.push(sb);
    const token = await issueToken(sb);
    sb.exchange.setReferencePrice('005930', 70_000);
    const buy = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '10',
      ORD_UNPR: '70000',
    });
    expect(buy.body.rt_cd).toBe('0');
    sb.exchange.setReferencePrice('005930', 77_000);
    const sell = await placeOrder(sb, token, 'sell', {
      PDNO: '005930',
      ORD_QTY: '3',
      ORD_UNPR: '77000',
    });
    expect(sell.body.rt_cd).toBe('0');

    const balance = await kisGet(sb, token, `${TRADING}/inquire-balance`, trIdOf(sb, 'TTTC8434R'), {
      ...account(sb),
      AFHR_FLPR_YN: 'N',
      OFL_YN: '',
      INQR_DVSN: '01',
      UNPR_DVSN: '01',
      FUND_STTL_ICLD_YN: 'N',
      FNCG_AMT_AUTO_RDPT_YN: 'N',
      PRCS_DVSN: '00',
      CTX_AREA_FK100: '',
      CTX_AREA_NK100: '',
    });
    expect(balance.body.rt_cd).toBe('0');
    const rows = balance.body.output1 as unknown[];
    expect(rows).toHaveLength(1);
    const row = expectStrings(rows[0], BALANCE_OUTPUT1);
    expect(row).toMatchObject({
      pdno: '005930',
      prdt_name: '삼성전자',
      trad_dvsn_name: '현금',
      thdt_buyqty: '10',
      thdt_sll_qty: '3',
      hldg_qty: '7',
      evlu_pfls_rt: '10.00',
      evlu_erng_rt: '10.00000000',
      loan_dt: '',
      expd_dt: '',
    });
    const summaries = balance.body.output2 as unknown[];
    expect(summaries).toHaveLength(1);
    const summary = expectStrings(summaries[0], BALANCE_OUTPUT2);
    expect(summary).toMatchObject({
      thdt_buy_amt: '700000',
      thdt_sll_amt: '231000',
      bfdy_buy_amt: '0',
      bfdy_sll_amt: '0',
      fncg_gld_auto_rdpt_yn: 'N',
      scts_evlu_amt: String(7 * 77_000),
    });

    const psbl = await kisGet(sb, token, `${TRADING}/inquire-psbl-order`, trIdOf(sb, 'TTTC8908R'), {
      ...account(sb),
      PDNO: '005930',
      ORD_UNPR: '55000',
      ORD_DVSN: '01',
      CMA_EVLU_AMT_ICLD_YN: 'N',
      OVRS_ICLD_YN: 'N',
    });
    expect(psbl.body.rt_cd).toBe('0');
    const output = expectStrings(psbl.body.output, PSBL_ORDER_OUTPUT);
    expect(output).toMatchObject({
      fund_rpch_chgs: '0',
      ovrs_re_use_amt_wcrc: '0',
      ord_psbl_frcr_amt_wcrc: '0',
    });
  });
});
