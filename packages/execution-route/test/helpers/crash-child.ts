// Child process of the kill -9 tests. It places one order through the route with a journal and a
// broker book in SQLite files (the broker's state lives OUTSIDE this process), and hangs at the
// point named by QTS_TEST_HANG_AT, printing "HANG <point>" so the parent can SIGKILL it there.
//   before-journal | journaled | before-send | after-send | answered | none
import { createKisOrderAdapter } from '@qts/broker-kis';
import { createVirtualExchange, createVirtualOrderAdapter } from '@qts/broker-virtual';
import type { OrderAdapter } from '@qts/order-contract';
import { kisAdapterOn, targetFromEnv } from '@qts/test-utils';
import {
  createExecutionRoute,
  createSqliteJournal,
  type RouteCheckpoint,
} from '../../src/index.js';
import { createFakeBroker } from './fake-broker.js';

const hangAt = process.env.QTS_TEST_HANG_AT ?? 'none';
const journalFile = process.env.QTS_TEST_JOURNAL ?? '';
const brokerFile = process.env.QTS_TEST_BROKER ?? '';

const hang = (point: string): Promise<never> => {
  process.stdout.write(`HANG ${point}\n`);
  return new Promise<never>(() => {
    setInterval(() => {}, 1000);
  });
};

const kind = process.env.QTS_TEST_BROKER_KIND ?? 'fake';
const env = (name: string): string => process.env[name] ?? '';
let adapter: OrderAdapter;
let closeBroker: () => void = () => {};
if (kind === 'virtual-file') {
  // broker-virtual's exchange persisted to a SQLite file
  const exchange = createVirtualExchange({ file: brokerFile });
  adapter = createVirtualOrderAdapter({ exchange });
  closeBroker = () => exchange.close();
} else if (kind === 'kis-sandbox') {
  // broker-kis against the KIS sandbox running in the parent process (it never answers: the
  // parent scripted never-answer, so this child hangs "after send, before the answer")
  adapter = kisAdapterOn(createKisOrderAdapter, targetFromEnv('paper'), {
    tokenHome: env('QTS_TEST_TOKEN_HOME'),
    timeoutMs: 60_000,
  }).adapter;
  process.stdout.write('HANG after-send\n'); // the parent waits for the sandbox to book it
} else {
  const broker = createFakeBroker({ file: brokerFile });
  const inner = broker.adapter;
  closeBroker = () => broker.close();
  adapter = {
    ...inner,
    placeOrder(request, options) {
      if (hangAt !== 'after-send') return inner.placeOrder(request, options);
      broker.script('place', { kind: 'hang-after-accept' });
      const pending = inner.placeOrder(request, options); // books synchronously, never answers
      void pending;
      return hang('after-send');
    },
  };
}
const journal = createSqliteJournal({
  file: journalFile,
  mode: 'virtual',
  host: kind,
  account: 'crash',
});
const route = createExecutionRoute({
  adapter,
  journal,
  mode: 'virtual',
  checkpoint: async (point: RouteCheckpoint) => {
    if (point === hangAt) await hang(point);
  },
});
const result = await route.submit({
  symbol: '005930',
  side: 'buy',
  quantity: 10,
  type: 'limit',
  limitPrice: 70000,
  intentId: 'crash-intent',
});
process.stdout.write(`DONE ${result.order.status}\n`);
journal.close();
closeBroker();
