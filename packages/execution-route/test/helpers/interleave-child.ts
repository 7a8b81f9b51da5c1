// Child process of interleave.test.ts. Several of these run at once on one journal file and one
// broker book file (each a SQLite file shared across processes):
//   QTS_TEST_ROLE=order  : submits QTS_TEST_COUNT orders (a distinct quantity each), printing
//                          "ACK <order id> <broker number>" for every answered one;
//   QTS_TEST_ROLE=orders : opens a route (recovery) and reconciles, QTS_TEST_COUNT times.
// The parent SIGKILLs some of them at random moments.
import { createExecutionRoute, createSqliteJournal } from '../../src/index.js';
import { createFakeBroker } from './fake-broker.js';

const role = process.env.QTS_TEST_ROLE ?? 'order';
const index = Number(process.env.QTS_TEST_INDEX ?? '0');
const count = Number(process.env.QTS_TEST_COUNT ?? '1');
const broker = createFakeBroker({ file: process.env.QTS_TEST_BROKER ?? '' });
const journal = createSqliteJournal({
  file: process.env.QTS_TEST_JOURNAL ?? '',
  mode: 'virtual',
  host: 'virtual',
  account: 'test',
});
const pause = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
// Widen the windows between journal records: the broker answers after a random pause.
const place = broker.adapter.placeOrder;
broker.adapter.placeOrder = async (request, options) => {
  await pause();
  const ack = await place(request, options);
  await pause();
  return ack;
};

async function main(): Promise<void> {
  if (role === 'order') {
    const route = createExecutionRoute({ adapter: broker.adapter, journal, mode: 'virtual' });
    for (let k = 0; k < count; k += 1) {
      const result = await route.submit({
        symbol: '005930',
        side: 'buy',
        type: 'limit',
        limitPrice: 70000,
        quantity: 1 + index * 100 + k,
      });
      if (result.error === undefined && result.order.brokerOrderId !== null) {
        process.stdout.write(`ACK ${result.order.orderId} ${result.order.brokerOrderId}\n`);
      }
    }
  } else {
    for (let k = 0; k < count; k += 1) {
      const route = createExecutionRoute({ adapter: broker.adapter, journal, mode: 'virtual' });
      await route.reconcile();
      await pause();
    }
  }
}

main()
  .then(() => process.stdout.write('DONE\n'))
  .catch((error: unknown) => {
    process.stdout.write(`FAIL ${String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    journal.close();
    broker.close();
  });
