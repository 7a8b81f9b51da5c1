import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';

/** A port on 127.0.0.1 that nothing listens on (bound, then closed): a connection is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * QTS_KIS_BASE_URL and QTS_KIS_WS_URL on a closed port of 127.0.0.1: a qts child given these can
 * never reach a host (a connection is refused), whatever its credentials.
 */
export async function closedKisEnv(): Promise<Record<string, string>> {
  const port = await closedPort();
  return { QTS_KIS_BASE_URL: `http://127.0.0.1:${port}`, QTS_KIS_WS_URL: `ws://127.0.0.1:${port}` };
}
