// Builds H0STCNI0/H0STCNI9 frames the way KIS does (docs/kis-protocol.md §8), for tests and benches.
import { createCipheriv } from 'node:crypto';

export const NOTICE_KEY = {
  key: 'abcdefghijklmnopqrstuvwxyz012345',
  iv: '0123456789abcdef',
} as const;

/** The 26-field layout's values for one record (names as in docs/kis-protocol.md §8). */
export interface NoticeFields {
  ODER_NO: string;
  OODER_NO?: string;
  SELN_BYOV_CLS?: string;
  RCTF_CLS?: string;
  ODER_KIND?: string;
  ODER_COND?: string;
  STCK_SHRN_ISCD?: string;
  CNTG_QTY: string;
  CNTG_UNPR: string;
  STCK_CNTG_HOUR?: string;
  RFUS_YN?: string;
  CNTG_YN: string;
  ACPT_YN?: string;
  BRNC_NO?: string;
  ODER_QTY?: string;
  ORD_EXG_GB?: string;
  ODER_PRC?: string;
}

/** One record in the current 26-field layout, or the older 23-field one. */
export function noticeRecord(fields: NoticeFields, layout: 26 | 23 = 26): string {
  const head = [
    'qtsuser',
    '5012345601',
    fields.ODER_NO,
    fields.OODER_NO ?? '',
    fields.SELN_BYOV_CLS ?? '02',
    fields.RCTF_CLS ?? '0',
    fields.ODER_KIND ?? '00',
    fields.ODER_COND ?? '0',
    fields.STCK_SHRN_ISCD ?? '005930',
    fields.CNTG_QTY,
    fields.CNTG_UNPR,
    fields.STCK_CNTG_HOUR ?? '101502',
    fields.RFUS_YN ?? '0',
    fields.CNTG_YN,
    fields.ACPT_YN ?? '2',
    fields.BRNC_NO ?? '91252',
    fields.ODER_QTY ?? '10',
    '홍길동',
  ];
  const tail =
    layout === 26
      ? ['0', fields.ORD_EXG_GB ?? '1', 'N', '', '', '', '삼성전자', fields.ODER_PRC ?? '70000']
      : ['삼성전자', '', '', '삼성전자', fields.ODER_PRC ?? '70000'];
  return [...head, ...tail].join('^');
}

/** base64(AES-256-CBC) of the text. */
export function encrypt(text: string, key = NOTICE_KEY): string {
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(key.key), Buffer.from(key.iv));
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

/** A data frame `1|<tr_id>|<count>|<payload>`. */
export function noticeFrame(records: readonly string[], trId = 'H0STCNI9'): string {
  return `1|${trId}|${String(records.length).padStart(3, '0')}|${encrypt(records.join('^'))}`;
}
