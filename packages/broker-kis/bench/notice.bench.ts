// Notice decrypt + parse + map throughput on one core. Goal 100,000/s (stretch 200,000/s).
// Each iteration handles BATCH distinct single-record fill frames (no duplicates).
import { bench, describe } from 'vitest';
import { decodeKisNoticeFrames } from '../src/notice/kis-notice-connection.js';
import { KisNoticeTracker } from '../src/notice/kis-notice-tracker.js';
import {
  createKisNoticeBatchDecrypter,
  createKisNoticeDecrypter,
  parseKisNoticeRecords,
  splitKisNoticeFrame,
} from '../src/wire/kis-ccnl-notice-api.js';
import { NOTICE_KEY, noticeFrame, noticeRecord } from '../test/notice-fixtures.js';

const BATCH = 1_000;
const frames = Array.from({ length: BATCH }, (_, index) =>
  noticeFrame([
    noticeRecord({
      ODER_NO: String(1_000_000 + (index % 100)).padStart(10, '0'),
      CNTG_QTY: '1',
      CNTG_UNPR: String(70_000 + index),
      CNTG_YN: '2',
      STCK_CNTG_HOUR: '101502',
    }),
  ]),
);
const decrypt = createKisNoticeDecrypter(NOTICE_KEY);
const decryptMany = createKisNoticeBatchDecrypter(NOTICE_KEY);
const GROUP = 50;

describe(`notice pipeline, ${BATCH} frames per iteration (multiply hz by ${BATCH})`, () => {
  bench(
    'decrypt + parse + map',
    () => {
      const tracker = new KisNoticeTracker();
      let events = 0;
      for (const text of frames) {
        const frame = splitKisNoticeFrame(text);
        if (frame === null) throw new Error('not a frame');
        const parsed = parseKisNoticeRecords(decrypt(frame.payload), frame.count);
        if ('error' in parsed) throw new Error(parsed.error);
        events += tracker.map(parsed.records, '20260105').length;
      }
      if (events !== BATCH) throw new Error(`expected ${BATCH} events, got ${events}`);
    },
    { time: 3_000 },
  );
  bench(
    `the connection's path: groups of ${GROUP} frames (one socket read), decrypt + parse + map`,
    () => {
      const tracker = new KisNoticeTracker();
      let events = 0;
      const onRecords = (records: Parameters<KisNoticeTracker['map']>[0]) => {
        events += tracker.map(records, '20260105').length;
      };
      for (let at = 0; at < BATCH; at += GROUP) {
        decodeKisNoticeFrames(
          frames.slice(at, at + GROUP),
          { trId: 'H0STCNI9', decrypt: decryptMany, log: () => {} },
          onRecords,
        );
      }
      if (events !== BATCH) throw new Error(`expected ${BATCH} events, got ${events}`);
    },
    { time: 3_000 },
  );
});
