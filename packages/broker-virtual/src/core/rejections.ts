// The refusals the virtual exchange gives. Codes KIS is known to use (docs/kis-protocol.md §9)
// are used verbatim; where KIS's code is not known, a `QTSV` code makes the virtual origin plain.

import type { VirtualRejectionReason, VirtualResult } from './types.js';

type Refusal = Extract<VirtualResult, { ok: false }>;

const refuse = (reason: VirtualRejectionReason, code: string, message: string): Refusal => ({
  ok: false,
  code,
  message,
  reason,
});

/** KIS APBK0952, verbatim. */
export const insufficientFunds = (): Refusal =>
  refuse('insufficient-funds', 'APBK0952', '주문가능금액을 초과 했습니다');

export const insufficientHoldings = (symbol: string, wanted: number, sellable: number): Refusal =>
  refuse(
    'insufficient-holdings',
    'QTSV0401',
    `매도가능수량을 초과 했습니다 (virtual: ${symbol} sellable ${sellable}, ordered ${wanted})`,
  );

/** KIS paper answers outside hours (40570000 before the open, 40580000 after the close). */
export const marketClosed = (beforeOpen: boolean): Refusal =>
  beforeOpen
    ? refuse('market-closed', '40570000', '모의투자 장시작전 입니다.')
    : refuse('market-closed', '40580000', '모의투자 장종료 입니다.');

export const orderNotFound = (orderNo: string): Refusal =>
  refuse(
    'order-not-found',
    'QTSV0404',
    `원주문번호가 존재하지 않습니다 (virtual: no order ${orderNo} in this account)`,
  );

export const noReferencePrice = (symbol: string): Refusal =>
  refuse(
    'no-reference-price',
    'QTSV0100',
    `No reference price for ${symbol} in the virtual exchange, so a market order cannot fill: set one with \`qts virtual price ${symbol} <KRW>\`, or place a limit order first (it sets the price).`,
  );

export const invalidRequest = (message: string): Refusal =>
  refuse('invalid-request', 'QTSV0422', message);

export const notModifiable = (orderNo: string, why: string): Refusal =>
  refuse(
    'not-modifiable',
    'QTSV0409',
    `정정/취소할 수량이 없습니다 (virtual: order ${orderNo} ${why})`,
  );

/** The venue does not take the division now (session rules on); the message names its hours. */
export const outsideSession = (message: string): Refusal =>
  refuse('outside-session', 'QTSV0403', message);
