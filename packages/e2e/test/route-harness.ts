// The two brokers Gate D 3 runs the execution route against: broker-virtual's in-process
// adapter, and broker-kis on broker-virtual's KIS sandbox (paper) over real HTTP/WebSocket.
// Both sit on a VirtualExchange the test can read (booked orders) and script (faults).

import { createKisOrderAdapter } from '@qts/broker-kis';
import type { KisSandbox, VirtualExchange } from '@qts/broker-virtual';
import * as brokerVirtual from '@qts/broker-virtual';
import type { OrderAdapter } from '@qts/order-contract';
import { closedPort, kisAdapterOn, sandboxTarget } from '@qts/test-utils';

export type BrokerKind = 'virtual' | 'kis-paper';

export interface Broker {
  readonly kind: BrokerKind;
  readonly adapter: OrderAdapter;
  readonly exchange: VirtualExchange;
  readonly account: string;
  /** The sandbox, for kis-paper. */
  readonly sandbox: KisSandbox | null;
  /** New orders the exchange booked (cancel / modify orders excluded), today. */
  booked(): readonly brokerVirtual.VirtualOrder[];
  /** An adapter of the same kind whose route is cut (closed port / refused connection). */
  cutAdapter(): Promise<OrderAdapter>;
  close(): Promise<void>;
}

/** Opens a broker of the given kind. `kisTimeoutMs` is broker-kis's request timeout. */
export async function openBroker(kind: BrokerKind, kisTimeoutMs = 10_000): Promise<Broker> {
  if (kind === 'virtual') {
    const exchange = brokerVirtual.createVirtualExchange();
    const adapter = brokerVirtual.createVirtualOrderAdapter({ exchange });
    const account = exchange.defaultAccount;
    return {
      kind,
      adapter,
      exchange,
      account,
      sandbox: null,
      booked: () =>
        exchange
          .orders(account) // every trading date: a run may straddle midnight KST
          .filter((o) => o.kind === 'order'),
      async cutAdapter() {
        exchange.faults.next('place', { kind: 'refuse-connection' });
        return adapter;
      },
      async close() {
        await adapter.close();
        exchange.close();
      },
    };
  }
  const sandbox = await brokerVirtual.startKisSandbox({
    environment: 'paper',
    port: 0,
    rateLimitPerSecond: null,
  });
  const adapter = kisAdapterOn(createKisOrderAdapter, sandboxTarget(sandbox), {
    timeoutMs: kisTimeoutMs,
  }).adapter;
  const account = sandbox.credentials.account;
  const opened: OrderAdapter[] = [adapter];
  return {
    kind,
    adapter,
    exchange: sandbox.exchange,
    account,
    sandbox,
    booked: () =>
      sandbox.exchange
        .orders(account) // every trading date: a run may straddle midnight KST
        .filter((o) => o.kind === 'order'),
    async cutAdapter() {
      // A port nothing listens on: the connection is refused, nothing can be sent.
      const cut = kisAdapterOn(
        createKisOrderAdapter,
        sandboxTarget(sandbox, { baseUrl: `http://127.0.0.1:${await closedPort()}` }),
        {
          timeoutMs: kisTimeoutMs,
        },
      ).adapter;
      opened.push(cut);
      return cut;
    },
    async close() {
      for (const a of opened) await a.close?.();
      await sandbox.close();
    },
  };
}
