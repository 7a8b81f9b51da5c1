// Notice split + decrypt + parse + map throughput on one core (goal: at least 200,000 frames/s),
// in CPU time of this process (robust when other processes share the machine) and in wall time,
// beside the straightforward reference decoding (test/notice-reference.ts: split on '^', the
// tracker before tuning), in interleaved rounds of the same run. Prints one JSON line.
import { loadavg } from 'node:os';
import { KisNoticeTracker } from '../src/notice/kis-notice-tracker.js';
import {
  createKisNoticeDecrypter,
  parseKisNoticeRecords,
  splitKisNoticeFrame,
} from '../src/wire/kis-ccnl-notice-api.js';
import { NOTICE_KEY, noticeFrame, noticeRecord } from '../test/notice-fixtures.js';
import {
  ReferenceKisNoticeTracker,
  referenceParseKisNoticeRecords,
} from '../test/notice-reference.js';

const FRAMES = Number(process.env.QTS_BENCH_FRAMES ?? 200_000);
const ROUNDS = 8;
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

const runs = {
  current: pipeline(parseKisNoticeRecords, () => new KisNoticeTracker()),
  reference: pipeline(referenceParseKisNoticeRecords, () => new ReferenceKisNoticeTracker()),
};
const names = Object.keys(runs) as (keyof typeof runs)[];
const cpuMs = { current: 0, reference: 0 };
const wallMs = { current: 0, reference: 0 };
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
    perSecondCpu: rate(cpuMs.current),
    perSecondWall: rate(wallMs.current),
    goalPerSecond: 200_000,
    referencePerSecondCpu: rate(cpuMs.reference),
    referencePerSecondWall: rate(wallMs.reference),
    speedupCpu: Number((cpuMs.reference / cpuMs.current).toFixed(2)),
  }),
);
