// Child process of concurrent-open.test.ts: waits at a start barrier (the go file appears), then
// opens the shared journal file (fresh: the first open creates it and its folder) and inserts one
// order. Prints "READY" at the barrier, then "OK <order id>" or "FAIL <error>".
import { existsSync } from 'node:fs';
import { createSqliteJournal, type Order } from '../../src/index.js';

const file = process.env.QTS_TEST_JOURNAL ?? '';
const go = process.env.QTS_TEST_GO ?? '';
const index = Number(process.env.QTS_TEST_INDEX ?? '0');
const at = '2026-11-25T01:00:00.000Z';

process.stdout.write('READY\n');
// Spin (no timers): every child leaves the barrier within a millisecond of the go file.
const deadline = Date.now() + 30_000;
while (!existsSync(go)) {
  if (Date.now() > deadline) throw new Error('start barrier timed out');
}
try {
  const journal = createSqliteJournal({ file, mode: 'virtual', host: 'virtual', account: 'test' });
  const order: Order = {
    orderId: `concurrent-${index}`,
    clientOrderId: `client-${index}`,
    brokerOrderId: null,
    brokerBranch: null,
    status: 'pending',
    statusReason: null,
    symbol: '005930',
    side: 'buy',
    quantity: index + 1,
    price: 70_000,
    type: 'limit',
    productType: null,
    mode: 'virtual',
    filledQuantity: 0,
    averagePrice: null,
    fills: {},
    createdAt: at,
    updatedAt: at,
    tradingDate: '20261125',
    sentAt: null,
    acceptedAt: null,
    error: null,
    cancelBrokerOrderId: null,
    modifyBrokerOrderId: null,
    linkedBrokerOrderIds: [],
    note: null,
  };
  const result = journal.insert(order, { at, cause: 'intent', owner: `child-${index}` });
  journal.close();
  if (!result.inserted) throw new Error(`not inserted: ${JSON.stringify(result)}`);
  process.stdout.write(`OK ${result.order.orderId}\n`);
} catch (error) {
  const code = (error as { code?: unknown; rawCode?: unknown } | null) ?? {};
  process.stdout.write(`FAIL ${String(error)} (${String(code.code)} ${String(code.rawCode)})\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
  process.exitCode = 1;
}
