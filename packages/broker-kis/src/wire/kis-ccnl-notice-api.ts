// H0STCNI0 / H0STCNI9 real-time execution notices over the KIS WebSocket (docs/kis-protocol.md §8).
import { createDecipheriv } from 'node:crypto';
import * as v from 'valibot';

/** Real TR id of the execution notice (paper: H0STCNI9). */
export const KIS_CCNL_NOTICE_TR_IDS = { real: 'H0STCNI0', paper: 'H0STCNI9' } as const;

/** The WebSocket path the official client subscribes on. */
export const KIS_WEBSOCKET_PATH = '/tryitout';

/**
 * The subscribe (`tr_type` "1") or unsubscribe ("2") message. It carries the approval key: never
 * log it.
 */
export function buildKisNoticeSubscribeMessage(input: {
  readonly approvalKey: string;
  readonly trId: string;
  readonly htsId: string;
  readonly subscribe: boolean;
}): string {
  return JSON.stringify({
    header: {
      approval_key: input.approvalKey,
      custtype: 'P',
      tr_type: input.subscribe ? '1' : '2',
      'content-type': 'utf-8',
    },
    body: { input: { tr_id: input.trId, tr_key: input.htsId } },
  });
}

const ControlSchema = v.object({
  header: v.object({
    tr_id: v.string(),
    tr_key: v.optional(v.string()),
    encrypt: v.optional(v.string()),
  }),
  body: v.optional(
    v.object({
      rt_cd: v.optional(v.string()),
      msg_cd: v.optional(v.string()),
      msg1: v.optional(v.string()),
      output: v.optional(v.object({ key: v.optional(v.string()), iv: v.optional(v.string()) })),
    }),
  ),
});

/** A control message (a JSON text frame) in our terms. */
export type KisNoticeControl =
  | { readonly kind: 'pingpong' }
  | {
      readonly kind: 'reply';
      readonly trId: string;
      readonly ok: boolean;
      readonly code: string;
      readonly message: string;
      /** The AES key and iv when the reply says `encrypt: "Y"` and carries them. */
      readonly cipher: KisNoticeCipherKey | null;
    }
  | { readonly kind: 'invalid'; readonly issues: string };

/** The AES-256-CBC key and iv of a subscription (32 and 16 characters). */
export interface KisNoticeCipherKey {
  readonly key: string;
  readonly iv: string;
}

/**
 * Parses a JSON control frame: PINGPONG, or a (un)subscribe reply with its AES key/iv.
 *
 * @param text The frame text (starts with `{`).
 * @returns What it is.
 */
export function parseKisNoticeControl(text: string): KisNoticeControl {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', issues: 'not JSON' };
  }
  const parsed = v.safeParse(ControlSchema, json);
  if (!parsed.success) return { kind: 'invalid', issues: parsed.issues[0]?.message ?? 'invalid' };
  const { header, body } = parsed.output;
  if (header.tr_id === 'PINGPONG') return { kind: 'pingpong' };
  const key = body?.output?.key;
  const iv = body?.output?.iv;
  const cipher =
    header.encrypt === 'Y' &&
    key !== undefined &&
    iv !== undefined &&
    key.length === 32 &&
    iv.length === 16
      ? { key, iv }
      : null;
  return {
    kind: 'reply',
    trId: header.tr_id,
    ok: body?.rt_cd === '0',
    code: body?.msg_cd ?? '',
    message: (body?.msg1 ?? '').replace(/\s+$/u, ''),
    cipher,
  };
}

/** A data frame `<enc>|<tr_id>|<count>|<payload>`, split. */
export interface KisNoticeFrame {
  readonly encrypted: boolean;
  readonly trId: string;
  readonly count: number;
  readonly payload: string;
}

/**
 * Splits a data frame; null when it is not one.
 *
 * @param text The frame text.
 * @returns The parts, or null.
 */
export function splitKisNoticeFrame(text: string): KisNoticeFrame | null {
  const first = text.indexOf('|');
  const second = first < 0 ? -1 : text.indexOf('|', first + 1);
  const third = second < 0 ? -1 : text.indexOf('|', second + 1);
  if (third < 0) return null;
  const enc = text.slice(0, first);
  const count = Number(text.slice(second + 1, third));
  if ((enc !== '0' && enc !== '1') || !Number.isInteger(count) || count < 1) return null;
  return {
    encrypted: enc === '1',
    trId: text.slice(first + 1, second),
    count,
    payload: text.slice(third + 1),
  };
}

/** A prepared decrypter for one subscription's key and iv. */
export type KisNoticeDecrypter = (payload: string) => string;

/**
 * The batch form: decrypts the payloads of several frames with one call into the cipher. Each
 * result is the plaintext, or null when that payload is malformed (not whole AES blocks, bad
 * padding); a malformed payload never affects the others.
 */
export type KisNoticeBatchDecrypter = (payloads: readonly string[]) => (string | null)[];

/** Bytes the batch decrypter decodes into at once (larger batches are cut into several calls). */
const BATCH_BYTES = 64 * 1024;

function keyBytes(cipher: KisNoticeCipherKey): { key: Buffer; iv: Buffer } {
  const key = Buffer.from(cipher.key, 'utf8');
  const iv = Buffer.from(cipher.iv, 'utf8');
  if (key.length !== 32 || iv.length !== 16) {
    throw new Error('KIS notice key/iv must be 32 and 16 bytes');
  }
  return { key, iv };
}

function blockDecipher(key: Buffer) {
  const blocks = createDecipheriv('aes-256-ecb', key, null);
  blocks.setAutoPadding(false);
  return blocks;
}

/**
 * Undoes the CBC chaining of one payload in place (`out` holds its AES blocks decrypted one by
 * one, `input` the ciphertext, both from `start` to `end`) and checks its PKCS#7 padding.
 *
 * @returns Where the plaintext ends, or -1 when the padding is wrong.
 */
function unchain(out: Buffer, input: Buffer, start: number, end: number, iv: Buffer): number {
  for (let i = end - 1; i >= start + 16; i -= 1) {
    out[i] = (out[i] as number) ^ (input[i - 16] as number);
  }
  for (let i = 0; i < 16; i += 1) out[start + i] = (out[start + i] as number) ^ (iv[i] as number);
  return unpadded(out, start, end);
}

/** Where the plaintext from `start` to `end` ends once its PKCS#7 padding is off; -1 if wrong. */
function unpadded(out: Buffer, start: number, end: number): number {
  const pad = out[end - 1] as number;
  if (pad < 1 || pad > 16 || pad > end - start) return -1;
  for (let i = end - pad; i < end; i += 1) {
    if (out[i] !== pad) return -1;
  }
  return end - pad;
}

/**
 * Creates the decrypter: base64 payload -> AES-256-CBC (key and iv are the UTF-8 bytes of the
 * strings from the subscribe reply) -> PKCS#7 unpad -> UTF-8.
 *
 * Every KIS notice is encrypted from the same iv, so a fresh CBC decipher per notice would be
 * needed; creating one costs more than decrypting a notice. Instead ONE AES-256-ECB decipher
 * without padding decrypts the blocks (ECB keeps no state between blocks) and the CBC chaining
 * (XOR with the previous ciphertext block, the iv for the first) and the PKCS#7 check are done
 * here. Same result as `createDecipheriv('aes-256-cbc', key, iv)`, about 3x cheaper.
 *
 * @param cipher The key and iv.
 * @returns The decrypter (throws on a malformed payload or bad padding).
 */
export function createKisNoticeDecrypter(cipher: KisNoticeCipherKey): KisNoticeDecrypter {
  const { key, iv } = keyBytes(cipher);
  const blocks = blockDecipher(key);
  return (payload) => {
    const input = Buffer.from(payload, 'base64');
    const length = input.length;
    if (length === 0 || length % 16 !== 0) throw new Error('not a whole number of AES blocks');
    const out = blocks.update(input);
    if (out.length !== length) throw new Error('AES block decryption returned a partial result');
    const end = unchain(out, input, 0, length, iv);
    if (end < 0) throw new Error('bad PKCS#7 padding');
    return out.toString('utf8', 0, end);
  };
}

/**
 * Creates the batch decrypter (same key handling and result as {@link createKisNoticeDecrypter}).
 *
 * A call into the cipher costs about as much as decrypting a whole notice, so the payloads of
 * the frames that arrived together are base64-decoded one after the other into one buffer and
 * decrypted by ONE call of a long-lived AES-256-CBC decipher. Laid end to end, each payload's
 * first block is chained by that decipher to the block before it (the previous payload's last
 * block, or the last block of the previous call) where KIS chained it to the iv; XOR-ing the
 * first 16 bytes with that block and the iv undoes the difference. Every other block is already
 * right, and the padding is then checked per payload.
 *
 * @param cipher The key and iv.
 * @returns The batch decrypter.
 */
export function createKisNoticeBatchDecrypter(cipher: KisNoticeCipherKey): KisNoticeBatchDecrypter {
  const { key, iv } = keyBytes(cipher);
  const chained = createDecipheriv('aes-256-cbc', key, iv);
  chained.setAutoPadding(false);
  /** The ciphertext block the decipher chains its next block to (the iv before the first call). */
  const chain = Buffer.from(iv);
  const single = createKisNoticeDecrypter(cipher);
  const input = Buffer.allocUnsafe(BATCH_BYTES);
  /** Ends (in `input`) of the payloads of the current group; -1 marks a malformed one. */
  const ends: number[] = [];
  return (payloads) => {
    const results: (string | null)[] = [];
    let next = 0;
    while (next < payloads.length) {
      const first = payloads[next] as string;
      // A payload larger than the buffer on its own: decrypted alone.
      if (Math.ceil(first.length / 4) * 3 > input.length) {
        try {
          results.push(single(first));
        } catch {
          results.push(null);
        }
        next += 1;
        continue;
      }
      // Decode as many payloads as fit, each right after the last whole one.
      ends.length = 0;
      let at = 0;
      while (next + ends.length < payloads.length) {
        const payload = payloads[next + ends.length] as string;
        if (at + Math.ceil(payload.length / 4) * 3 > input.length) break;
        const written = input.write(payload, at, 'base64');
        if (written === 0 || written % 16 !== 0) {
          ends.push(-1);
          continue;
        }
        at += written;
        ends.push(at);
      }
      next += ends.length;
      if (at === 0) {
        for (let k = 0; k < ends.length; k += 1) results.push(null);
        continue;
      }
      const group = input.subarray(0, at);
      const out = chained.update(group);
      if (out.length !== at) throw new Error('AES block decryption returned a partial result');
      let start = 0;
      for (const end of ends) {
        if (end < 0) {
          results.push(null);
          continue;
        }
        // The block the decipher chained this payload's first block to: undo it, apply the iv.
        const before = start === 0 ? chain : group;
        const offset = start === 0 ? 0 : start - 16;
        for (let i = 0; i < 16; i += 1) {
          out[start + i] =
            (out[start + i] as number) ^ (before[offset + i] as number) ^ (iv[i] as number);
        }
        const textEnd = unpadded(out, start, end);
        results.push(textEnd < 0 ? null : out.toString('utf8', start, textEnd));
        start = end;
      }
      group.copy(chain, 0, at - 16, at);
    }
    return results;
  };
}

/** The current 26-field layout's tail and the older 23-field one's: index of ODER_PRC. */
const LAYOUTS = {
  current: { fields: 26, orderPrice: 25, exchange: 19 },
  older: { fields: 23, orderPrice: 22, exchange: null },
} as const;

/** One notice record in our terms (order numbers as sent). */
export interface KisNoticeRecord {
  /** CUST_ID: the HTS id. */
  readonly customerId: string;
  /** ODER_NO. */
  readonly orderNumber: string;
  /** OODER_NO: the original order of a modify / cancel ('' or zeros otherwise). */
  readonly originalOrderNumber: string;
  /** SELN_BYOV_CLS: 01 sell, 02 buy. */
  readonly side: 'buy' | 'sell';
  /** RCTF_CLS: 0 new, 1 modify, 2 cancel. */
  readonly action: 'new' | 'modify' | 'cancel';
  /** ODER_KIND: the ORD_DVSN code. */
  readonly orderTypeCode: string;
  /** ODER_COND: `0` none, `1` IOC, `2` FOK ('' when absent). */
  readonly executionConditionCode: string;
  /** ORD_EXG_GB (current layout only): `1` KRX, `2` NXT, `3` SOR→KRX, `4` SOR→NXT; '' when absent. */
  readonly exchangeCode: string;
  /** STCK_SHRN_ISCD. */
  readonly symbol: string;
  /** CNTG_QTY: fill quantity on a fill; the order quantity on a receipt. */
  readonly quantity: number;
  /** CNTG_UNPR: fill price on a fill. */
  readonly price: number;
  /** STCK_CNTG_HOUR: HHMMSS, Seoul. */
  readonly time: string;
  /** RFUS_YN 1. */
  readonly rejected: boolean;
  /** CNTG_YN 2 = a fill; 1 = a receipt (order / modify / cancel / reject acknowledgement). */
  readonly fill: boolean;
  /** ACPT_YN: 1 accepted, 2 confirmed, 3 canceled (IOC/FOK remainder). */
  readonly acceptance: string;
  /** BRNC_NO. */
  readonly branch: string;
  /** ODER_QTY. */
  readonly orderQuantity: number;
  /** ODER_PRC, or null when absent or not a number. */
  readonly orderPrice: number | null;
}

function toNumber(text: string | undefined): number {
  if (text === undefined || text === '') return Number.NaN;
  // Number() ignores surrounding spaces; '' and blanks are NaN here (not 0).
  const value = Number(text);
  return value === 0 && text.trim() === '' ? Number.NaN : value;
}

function recordLength(total: number, count: number): number | null {
  if (total === LAYOUTS.current.fields * count) return LAYOUTS.current.fields;
  if (total === LAYOUTS.older.fields * count) return LAYOUTS.older.fields;
  if (total % count !== 0) return null;
  const each = total / count;
  return each >= LAYOUTS.older.fields ? each : null;
}

/**
 * Parses a decrypted payload of `count` records tolerantly: the 26-field layout and the older
 * 23-field one (fields 0-17 are the same in both; ODER_PRC is last), extra trailing fields are
 * ignored (the record length is total / count).
 *
 * @param text The decrypted payload (`^`-separated).
 * @param count The frame's record count.
 * @returns The records, or a reason when the payload does not fit either layout.
 */
export function parseKisNoticeRecords(
  text: string,
  count: number,
): { readonly records: KisNoticeRecord[] } | { readonly error: string } {
  const fields = text.split('^');
  const each = recordLength(fields.length, count);
  if (each === null) {
    return { error: `${fields.length} fields do not make ${count} record(s) of 23 or 26 fields` };
  }
  const layout = each >= LAYOUTS.current.fields ? LAYOUTS.current : LAYOUTS.older;
  const priceIndex = layout.orderPrice;
  const records: KisNoticeRecord[] = [];
  for (let start = 0; start < fields.length; start += each) {
    const orderNumber = (fields[start + 2] ?? '').trim();
    const sideCode = fields[start + 4];
    const actionCode = fields[start + 5];
    const quantity = toNumber(fields[start + 9]);
    const orderQuantity = toNumber(fields[start + 16]);
    const price = toNumber(fields[start + 10]);
    if (
      orderNumber === '' ||
      (sideCode !== '01' && sideCode !== '02') ||
      (actionCode !== '0' && actionCode !== '1' && actionCode !== '2') ||
      !(Number.isFinite(quantity) || Number.isFinite(orderQuantity))
    ) {
      return { error: `record ${records.length + 1} has no order number, side or quantity` };
    }
    const orderPrice = toNumber(fields[start + priceIndex]);
    records.push({
      customerId: fields[start] ?? '',
      orderNumber,
      originalOrderNumber: (fields[start + 3] ?? '').trim(),
      side: sideCode === '01' ? 'sell' : 'buy',
      action: actionCode === '1' ? 'modify' : actionCode === '2' ? 'cancel' : 'new',
      orderTypeCode: fields[start + 6] ?? '',
      executionConditionCode: (fields[start + 7] ?? '').trim(),
      exchangeCode: layout.exchange === null ? '' : (fields[start + layout.exchange] ?? '').trim(),
      symbol: (fields[start + 8] ?? '').trim(),
      quantity: Number.isFinite(quantity) ? quantity : 0,
      price: Number.isFinite(price) ? price : 0,
      time: fields[start + 11] ?? '',
      rejected: fields[start + 12] === '1',
      fill: fields[start + 13] === '2',
      acceptance: fields[start + 14] ?? '',
      branch: (fields[start + 15] ?? '').trim(),
      orderQuantity: Number.isFinite(orderQuantity) ? orderQuantity : 0,
      orderPrice: Number.isFinite(orderPrice) ? orderPrice : null,
    });
  }
  return { records };
}
