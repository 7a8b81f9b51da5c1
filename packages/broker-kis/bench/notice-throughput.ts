// Notice decrypt + parse + map throughput on one core, measured in CPU time of this process
// (robust when other processes share the machine) and in wall time. Prints one JSON line.
import { KisNoticeTracker } from '../src/notice/kis-notice-tracker.js';
import {
  createKisNoticeDecrypter,
  parseKisNoticeRecords,
  splitKisNoticeFrame,
} from '../src/wire/kis-ccnl-notice-api.js';
import { NOTICE_KEY, noticeFrame, noticeRecord } from '../test/notice-fixtures.js';

const FRAMES = Number(process.env.QTS_BENCH_FRAMES ?? 200_000);
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

function run(count: number): number {
  let events = 0;
  let tracker = new KisNoticeTracker();
  for (let i = 0; i < count; i += 1) {
    if (i % frames.length === 0) tracker = new KisNoticeTracker();
    const frame = splitKisNoticeFrame(frames[i % frames.length] as string);
    if (frame === null) throw new Error('not a frame');
    const parsed = parseKisNoticeRecords(decrypt(frame.payload), frame.count);
    if ('error' in parsed) throw new Error(parsed.error);
    events += tracker.map(parsed.records, '20260105').length;
  }
  return events;
}

run(20_000); // warm-up
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const events = run(FRAMES);
const wallMs = performance.now() - wallStart;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
if (events !== FRAMES) throw new Error(`expected ${FRAMES} events, got ${events}`);
console.log(
  JSON.stringify({
    frames: FRAMES,
    perSecondCpu: Math.round(FRAMES / (cpuMs / 1000)),
    perSecondWall: Math.round(FRAMES / (wallMs / 1000)),
  }),
);
