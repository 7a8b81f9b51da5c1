// The notice decoding tuned for throughput gives exactly what the straightforward version gave
// (test/notice-reference.ts): the same plaintext, records and events on varied frames (26- and
// 23-field layouts, extra trailing fields, several records a frame, replays, odd values) and
// the same refusals.
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeOrderNumber } from '../src/internal/seoul-time.js';
import { decodeKisNoticeFrames } from '../src/notice/kis-notice-connection.js';
import { KisNoticeTracker } from '../src/notice/kis-notice-tracker.js';
import {
  createKisNoticeBatchDecrypter,
  createKisNoticeDecrypter,
  parseKisNoticeRecords,
  splitKisNoticeFrame,
} from '../src/wire/kis-ccnl-notice-api.js';
import { encrypt, NOTICE_KEY, noticeFrame, noticeRecord } from './notice-fixtures.js';
import {
  ReferenceKisNoticeTracker,
  referenceDecrypt,
  referenceParseKisNoticeRecords,
} from './notice-reference.js';

/** A deterministic pseudo-random source (the same cases on every run). */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state;
  };
  return {
    // the high bits (the low bits of this generator repeat with a short period)
    int: (n: number) => Math.floor((next() / 2 ** 31) * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor((next() / 2 ** 31) * items.length)] as T,
  };
}

const ORDER_NUMBERS = [
  '0000437810',
  '437810',
  ' 0000012345 ',
  '0000000000',
  '0000437811',
  '00A1',
  '',
];
const SIDES = ['01', '02', '02', '01', '02', '01', '03', ''];
const ACTIONS = ['0', '1', '2', '0', '0', '1', '2', '3'];
const NUMBERS = ['1', '3', '10', '0', '', ' ', ' 7 ', 'x', '70000', '69900.5', '-1', '1e3'];
const TIMES = ['101502', '090000', '153000', '1015', 'abcdef', ''];
const FLAGS = ['0', '1', '2', '3', ''];
const TEXT = ['qtsuser', '홍길동', '삼성전자', '', 'N', 'Y', '00', '01', '91252', ' 005930 '];

function record(r: ReturnType<typeof random>, fields: number): string[] {
  const values = [
    r.pick(['qtsuser', 'user01', '홍길동']),
    '5012345601',
    r.int(4) === 0 ? r.pick(ORDER_NUMBERS) : String(r.int(200)).padStart(10, '0'),
    r.pick(['', '0000000000', '0000437810', ' 12 ']),
    r.int(10) === 0 ? r.pick(SIDES) : r.pick(['01', '02']),
    r.int(10) === 0 ? r.pick(ACTIONS) : r.pick(['0', '0', '1', '2']),
    r.pick(['00', '01', '05']),
    '0',
    r.pick(['005930', ' 005930 ', 'Q500001', '']),
    r.int(2) === 0 ? r.pick(NUMBERS) : String(1 + r.int(50)),
    r.int(2) === 0 ? r.pick(NUMBERS) : String(60_000 + 100 * r.int(100)),
    r.pick(TIMES),
    r.int(8) === 0 ? r.pick(FLAGS) : '0',
    r.int(8) === 0 ? r.pick(FLAGS) : r.pick(['1', '2', '2']),
    r.int(4) === 0 ? r.pick(FLAGS) : r.pick(['1', '2']),
    r.pick(['91252', ' 91252 ', '']),
    r.pick(NUMBERS),
  ];
  while (values.length < fields) values.push(r.pick(TEXT));
  values[fields - 1] = r.pick(NUMBERS);
  return values;
}

function frames(seed: number, count: number): { payload: string; count: number }[] {
  const r = random(seed);
  const out: { payload: string; count: number }[] = [];
  for (let n = 0; n < count; n += 1) {
    const records = 1 + r.int(4);
    const layout = r.pick([26, 26, 23, 27, 30]);
    const rows = Array.from({ length: records }, () => record(r, layout));
    // now and then two identical records in one frame (two fills that must both count)
    if (records > 1 && r.int(4) === 0) rows[1] = rows[0] as string[];
    const fields = rows.flat();
    // now and then a frame whose count does not match its fields, or a field too many
    if (r.int(20) === 0) fields.push('extra');
    const declared = r.int(25) === 0 ? records + 1 : records;
    out.push({ payload: encrypt(fields.join('^')), count: declared });
    // replays: the same frame again
    if (r.int(5) === 0) out.push(out[out.length - 1] as { payload: string; count: number });
  }
  return out;
}

describe('tuned notice decoding', () => {
  it('decrypts, parses and maps 3,000 varied frames exactly as the reference does', () => {
    const decrypt = createKisNoticeDecrypter(NOTICE_KEY);
    const tracker = new KisNoticeTracker();
    const reference = new ReferenceKisNoticeTracker();
    let records = 0;
    let events = 0;
    let refused = 0;
    const dates = ['20260105', '20260106'];
    let k = 0;
    for (const frame of frames(4242, 3000)) {
      k += 1;
      const plain = decrypt(frame.payload);
      expect(plain).toBe(referenceDecrypt(NOTICE_KEY, frame.payload));
      const parsed = parseKisNoticeRecords(plain, frame.count);
      // the reference predates the division fields (ODER_COND, ORD_EXG_GB), tested in notice.test.ts
      expect(withoutDivisionFields(parsed)).toEqual(
        referenceParseKisNoticeRecords(plain, frame.count),
      );
      if ('error' in parsed) {
        refused += 1;
        continue;
      }
      records += parsed.records.length;
      const date = dates[Math.floor(k / 1000)] ?? '20260107';
      const mapped = tracker.map(parsed.records, date);
      expect(mapped).toEqual(reference.map(parsed.records, date));
      events += mapped.length;
    }
    // the cases are not vacuous: many records, events and refusals
    expect(records).toBeGreaterThan(3000);
    expect(events).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(100);
  });

  it('refuses what the reference refuses: bad base64 length, bad padding', () => {
    const decrypt = createKisNoticeDecrypter(NOTICE_KEY);
    const good = splitKisNoticeFrame(`1|H0STCNI9|001|${encrypt('a^b')}`)?.payload ?? '';
    const long = encrypt('x'.repeat(40));
    const truncated = Buffer.from(long, 'base64').subarray(0, 24).toString('base64');
    // another key: garbage whose last byte is not a valid PKCS#7 pad (checked by the reference)
    const other = createCipheriv(
      'aes-256-cbc',
      Buffer.from('zyxwvutsrqponmlkjihgfedcba543210'),
      Buffer.from(NOTICE_KEY.iv),
    );
    const wrongKey = Buffer.concat([other.update('a^b'), other.final()]).toString('base64');
    for (const payload of [truncated, wrongKey, '', 'AAAA']) {
      expect(() => referenceDecrypt(NOTICE_KEY, payload)).toThrow();
      expect(() => decrypt(payload)).toThrow();
    }
    // and a failure leaves the decrypter working
    expect(decrypt(good)).toBe('a^b');
  });

  it('the batch decrypter gives each frame what the reference gives it, however frames are grouped', () => {
    const batch = createKisNoticeBatchDecrypter(NOTICE_KEY);
    const r = random(777);
    const good = frames(99, 600).map((frame) => frame.payload);
    const other = createCipheriv(
      'aes-256-cbc',
      Buffer.from('zyxwvutsrqponmlkjihgfedcba543210'),
      Buffer.from(NOTICE_KEY.iv),
    );
    const long = encrypt('x'.repeat(40));
    const bad = [
      // not whole blocks, a wrong key (bad padding), nothing, one short base64 quantum
      Buffer.from(long, 'base64').subarray(0, 24).toString('base64'),
      Buffer.concat([other.update('a^b'), other.final()]).toString('base64'),
      '',
      'AAAA',
      'not base64 at all!',
      (good[0] as string).slice(0, -8),
      // more than the batch buffer (64 KiB) on its own: valid, and not whole blocks
      encrypt(`${'y'.repeat(70_000)}^z`),
      'A'.repeat(100_000),
    ];
    const expected = (payload: string) => {
      try {
        return referenceDecrypt(NOTICE_KEY, payload);
      } catch {
        return null;
      }
    };
    let refused = 0;
    let bytes = 0;
    for (let round = 0; round < 80; round += 1) {
      // groups of 1 to 400 frames: the larger ones cross the 64 KiB buffer
      const size = round < 10 ? 1 + round : 1 + r.int(400);
      const group = Array.from({ length: size }, () =>
        r.int(8) === 0 ? r.pick(bad) : r.pick(good),
      );
      const want = group.map(expected);
      expect(batch(group)).toEqual(want);
      refused += want.filter((text) => text === null).length;
      bytes = Math.max(
        bytes,
        group.reduce((sum, payload) => sum + payload.length, 0),
      );
    }
    // not vacuous: refusals among them, and groups larger than the buffer
    expect(refused).toBeGreaterThan(100);
    expect((bytes * 3) / 4).toBeGreaterThan(64 * 1024);
    expect(batch([])).toEqual([]);
  });

  it('a group hands every frame on even when one hand-over throws, then throws that failure', () => {
    const decryptMany = createKisNoticeBatchDecrypter(NOTICE_KEY);
    const texts = ['1', '2', '3', '4'].map((quantity) =>
      noticeFrame([
        noticeRecord({
          ODER_NO: '0000000042',
          CNTG_QTY: quantity,
          CNTG_UNPR: '70000',
          CNTG_YN: '2',
        }),
      ]),
    );
    const handed: number[] = [];
    const warnings: string[] = [];
    const failure = new Error('a listener bug');
    expect(() =>
      decodeKisNoticeFrames(
        texts,
        {
          trId: 'H0STCNI9',
          decrypt: decryptMany,
          log: (entry) => warnings.push(entry.message),
        },
        (records) => {
          const quantity = records[0]?.quantity ?? 0;
          handed.push(quantity);
          if (quantity === 2) throw failure;
        },
      ),
    ).toThrow(failure);
    expect(handed).toEqual([1, 2, 3, 4]);
    expect(warnings).toEqual([]);
  });

  it('strips leading zeros from order numbers as before', () => {
    for (const value of [
      '0000437810',
      '437810',
      ' 0000012345 ',
      '0000000000',
      '',
      '   ',
      '0',
      '00A1',
      '\t007\n',
    ]) {
      const trimmed = value.trim().replace(/^0+/, '');
      expect(normalizeOrderNumber(value)).toBe(trimmed === '' ? '0' : trimmed);
    }
  });
});

function withoutDivisionFields(
  parsed: ReturnType<typeof parseKisNoticeRecords>,
): ReturnType<typeof parseKisNoticeRecords> | { records: Record<string, unknown>[] } {
  if ('error' in parsed) return parsed;
  return {
    records: parsed.records.map(
      ({ executionConditionCode: _condition, exchangeCode: _exchange, ...rest }) => rest,
    ),
  };
}
