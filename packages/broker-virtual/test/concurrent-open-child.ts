// Child process of concurrent-open.test.ts: waits at a start barrier (the go file appears), then
// opens the shared exchange file (fresh: the first open creates it) and places one order.
// Prints "READY" at the barrier, then "OK <order number>" or "FAIL <error>".
import { existsSync } from 'node:fs';
import { createVirtualExchange } from '../src/index.js';

const file = process.env.QTS_TEST_FILE ?? '';
const go = process.env.QTS_TEST_GO ?? '';
const index = Number(process.env.QTS_TEST_INDEX ?? '0');
const WED_10_KST = Date.UTC(2026, 10, 25, 1, 0, 0);

process.stdout.write('READY\n');
// Spin (no timers): every child leaves the barrier within a millisecond of the go file.
const deadline = Date.now() + 30_000;
while (!existsSync(go)) {
  if (Date.now() > deadline) throw new Error('start barrier timed out');
}
try {
  const exchange = createVirtualExchange({ file, clock: () => WED_10_KST });
  const placed = exchange.place('00000000-01', {
    symbol: '005930',
    side: 'buy',
    type: 'limit',
    quantity: index + 1,
    limitPrice: 70_000,
  });
  exchange.close();
  if (!placed.ok) throw new Error(`order refused: ${JSON.stringify(placed)}`);
  process.stdout.write(`OK ${placed.order.orderNo}\n`);
} catch (error) {
  const code = (error as { code?: unknown; rawCode?: unknown } | null) ?? {};
  process.stdout.write(`FAIL ${String(error)} (${String(code.code)} ${String(code.rawCode)})\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
  process.exitCode = 1;
}
