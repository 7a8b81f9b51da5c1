// AES-256-CBC encryption of execution-notice payloads (docs/kis-protocol.md §8).
import { createCipheriv } from 'node:crypto';
import { randomAlnum } from './credentials.js';

export interface NoticeKey {
  /** 32 chars; its UTF-8 bytes are the AES-256 key. */
  readonly key: string;
  /** 16 chars; its UTF-8 bytes are the CBC IV. */
  readonly iv: string;
}

export function newNoticeKey(): NoticeKey {
  return { key: randomAlnum(32), iv: randomAlnum(16) };
}

/** base64(AES-256-CBC(PKCS#7)) of the UTF-8 text, as KIS sends notice payloads. */
export function encryptNotice(text: string, noticeKey: NoticeKey): string {
  const cipher = createCipheriv(
    'aes-256-cbc',
    Buffer.from(noticeKey.key, 'utf8'),
    Buffer.from(noticeKey.iv, 'utf8'),
  );
  return Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
}

/** Field names of the current 26-field H0STCNI0/H0STCNI9 layout, in wire order. */
export const NOTICE_FIELDS = [
  'CUST_ID',
  'ACNT_NO',
  'ODER_NO',
  'OODER_NO',
  'SELN_BYOV_CLS',
  'RCTF_CLS',
  'ODER_KIND',
  'ODER_COND',
  'STCK_SHRN_ISCD',
  'CNTG_QTY',
  'CNTG_UNPR',
  'STCK_CNTG_HOUR',
  'RFUS_YN',
  'CNTG_YN',
  'ACPT_YN',
  'BRNC_NO',
  'ODER_QTY',
  'ACNT_NAME',
  'ORD_COND_PRC',
  'ORD_EXG_GB',
  'POPUP_YN',
  'FILLER',
  'CRDT_CLS',
  'CRDT_LOAN_DATE',
  'CNTG_ISNM40',
  'ODER_PRC',
] as const;

export type NoticeFieldName = (typeof NOTICE_FIELDS)[number];
export type NoticeRecord = Readonly<Record<NoticeFieldName, string>>;

/** `^`-joined payload in the §8 order. */
export function formatNoticeRecord(record: NoticeRecord): string {
  return NOTICE_FIELDS.map((name) => record[name]).join('^');
}

/** A full data frame: `1|<tr_id>|001|<encrypted payload>`. */
export function noticeFrame(trId: string, record: NoticeRecord, noticeKey: NoticeKey): string {
  return `1|${trId}|001|${encryptNotice(formatNoticeRecord(record), noticeKey)}`;
}
