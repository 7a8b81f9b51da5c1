// Notice split + decrypt + parse + map throughput on one core (goal: at least 200,000 frames/s),
// in CPU time of this process (robust when other processes share the machine) and in wall time,
// beside the straightforward reference decoding (test/notice-reference.ts: split on '^', the
// tracker before tuning), in interleaved rounds of the same run. Prints one JSON line.
//
// `current` is the connection's own path (decodeKisNoticeFrames): frames handed over in groups
// of BATCH, as the frames of one socket read reach it (at 200,000 frames/s a 64 KiB read holds
// about 280 of these 230-byte frames; 50 is about 11 KiB). `oneByOne` is the same path with
// every frame alone (a quiet stream, where throughput does not matter).
import { loadavg } from 'node:os';
import { decodeKisNoticeFrames } from '../src/notice/kis-notice-connection.js';
import { KisNoticeTracker } from '../src/notice/kis-notice-tracker.js';
import {
  createKisNoticeBatchDecrypter,
  createKisNoticeDecrypter,
  type KisNoticeRecord,
  splitKisNoticeFrame,
} from '../src/wire/kis-ccnl-notice-api.js';
import { NOTICE_KEY, noticeFrame, noticeRecord } from '../test/notice-fixtures.js';
import {
  ReferenceKisNoticeTracker,
  referenceParseKisNoticeRecords,
} from '../test/notice-reference.js';

const FRAMES = Number(process.env.QTS_BENCH_FRAMES ?? 200_000);
const ROUNDS = 8;
const BATCH = Number(process.env.QTS_BENCH_NOTICE_BATCH ?? 50);
const frames = Array.from({ length: 10_000 }, (_, index) =>
  noticeFrame([
    noticeRecord({
      ODER_NO: String(1_000_000 + (index % 100)).padStart(10, '0'),
      CNTG_QTY: '1',
      CNTG_UNPR: String(70_000 + index),
      CNTG_YN: '2',
    }),
  ]),
);
const decrypt = createKisNoticeDecrypter(NOTICE_KEY);
const decryptMany = createKisNoticeBatchDecrypter(NOTICE_KEY);
const noLog = () => {};

interface Tracker<R> {
  map(records: readonly R[], tradingDate: string): readonly unknown[];
}

function pipeline<R>(
  parse: (text: string, count: number) => { readonly records: R[] } | { readonly error: string },
  create: () => Tracker<R>,
) {
  let tracker = create();
  let at = 0;
  return (count: number): number => {
    let events = 0;
    for (let n = 0; n < count; n += 1, at += 1) {
      if (at % frames.length === 0) tracker = create();
      const frame = splitKisNoticeFrame(frames[at % frames.length] as string);
      if (frame === null) throw new Error('not a frame');
      const parsed = parse(decrypt(frame.payload), frame.count);
      if ('error' in parsed) throw new Error(parsed.error);
      events += tracker.map(parsed.records, '20260105').length;
    }
    return events;
  };
}

/** The connection's path: groups of `batch` frames through decodeKisNoticeFrames, then mapped. */
function connectionPath(batch: number) {
  let tracker = new KisNoticeTracker();
  let at = 0;
  const group: string[] = [];
  return (count: number): number => {
    let events = 0;
    const onRecords = (records: KisNoticeRecord[]) => {
      events += tracker.map(records, '20260105').length;
    };
    for (let n = 0; n < count; ) {
      group.length = 0;
      for (; group.length < batch && n < count; n += 1, at += 1) {
        if (at % frames.length === 0) {
          // a group never spans two trackers: it is decoded before the tracker is replaced
          if (group.length > 0) break;
          tracker = new KisNoticeTracker();
        }
        group.push(frames[at % frames.length] as string);
      }
      decodeKisNoticeFrames(
        group,
        { trId: 'H0STCNI9', decrypt: decryptMany, log: noLog },
        onRecords,
      );
    }
    return events;
  };
}

const runs = {
  current: connectionPath(BATCH),
  oneByOne: connectionPath(1),
  reference: pipeline(referenceParseKisNoticeRecords, () => new ReferenceKisNoticeTracker()),
};
const names = Object.keys(runs) as (keyof typeof runs)[];
const cpuMs = { current: 0, oneByOne: 0, reference: 0 };
const wallMs = { current: 0, oneByOne: 0, reference: 0 };
const chunk = Math.ceil(FRAMES / ROUNDS);
for (const name of names) runs[name](20_000); // warm-up
for (let round = 0; round < ROUNDS; round += 1) {
  for (let k = 0; k < names.length; k += 1) {
    const name = names[(round + k) % names.length] as keyof typeof runs;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    const events = runs[name](chunk);
    wallMs[name] += performance.now() - wallStart;
    const cpu = process.cpuUsage(cpuStart);
    cpuMs[name] += (cpu.user + cpu.system) / 1000;
    if (events !== chunk) throw new Error(`expected ${chunk} events, got ${events}`);
  }
}
const total = chunk * ROUNDS;
const rate = (ms: number) => Math.round(total / (ms / 1000));
console.log(
  JSON.stringify({
    date: new Date().toISOString().slice(0, 19),
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    frames: total,
    batch: BATCH,
    perSecondCpu: rate(cpuMs.current),
    perSecondWall: rate(wallMs.current),
    goalPerSecond: 200_000,
    oneByOnePerSecondWall: rate(wallMs.oneByOne),
    referencePerSecondCpu: rate(cpuMs.reference),
    referencePerSecondWall: rate(wallMs.reference),
    speedupCpu: Number((cpuMs.reference / cpuMs.current).toFixed(2)),
  }),
);
