// Interleaved A/B measurement of adapter.placeOrder vs a bare fetch of the same request against
// the local KIS sandbox (rate limiter off): medians over ROUNDS rounds, so machine load hits both
// sides alike. Run by `pnpm bench` after the vitest benches; prints one JSON line.
import { performance } from 'node:perf_hooks';
import { setupOrderBench } from './order-setup.js';

const ROUNDS = Number(process.env.QTS_BENCH_ROUNDS ?? 300);
const side = await setupOrderBench();
const { adapter } = side;
const { url, headers, body } = side.bare;

async function bare(): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const parsed = (await response.json()) as { rt_cd?: string };
  if (parsed.rt_cd !== '0') throw new Error('bare fetch refused');
}

async function viaAdapter(): Promise<void> {
  await adapter.placeOrder({
    clientOrderId: 'bench',
    symbol: '005930',
    side: 'buy',
    quantity: 1,
    type: 'limit',
    limitPrice: 1_000,
  });
}

async function time(action: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

for (let i = 0; i < 20; i += 1) {
  await bare();
  await viaAdapter();
}
const bareTimes: number[] = [];
const adapterTimes: number[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  if (i % 2 === 0) {
    bareTimes.push(await time(bare));
    adapterTimes.push(await time(viaAdapter));
  } else {
    adapterTimes.push(await time(viaAdapter));
    bareTimes.push(await time(bare));
  }
}
const bareMedian = median(bareTimes);
const adapterMedian = median(adapterTimes);
console.log(
  JSON.stringify({
    rounds: ROUNDS,
    bareFetchMedianMs: Number(bareMedian.toFixed(3)),
    adapterMedianMs: Number(adapterMedian.toFixed(3)),
    ratio: Number((adapterMedian / bareMedian).toFixed(3)),
  }),
);
await side.close();
