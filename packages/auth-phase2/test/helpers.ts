import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createKisCredentials } from '../src/index.js';

export const CANARY_SECRET = `SECRET-CANARY-${'s'.repeat(40)}`;
export const CANARY_TOKEN = 'TOKEN-CANARY-eyJhbGciOiJIUzI1NiJ9.payload.signature';
export const CANARY_APPROVAL = 'APPROVAL-CANARY-1234-5678-90ab';

export function testCredentials(overrides: { appKey?: string; appSecret?: string } = {}) {
  return createKisCredentials({
    appKey: overrides.appKey ?? 'PSabcdefghijklmnopqrstuvwxyz01234567',
    appSecret: overrides.appSecret ?? CANARY_SECRET,
    account: '50012345-01',
    htsId: 'tester',
  });
}

/** A KST wall-clock string `hours` after epoch ms `now`. */
export function kstAfter(now: number, hours: number): string {
  const d = new Date(now + hours * 3_600_000 + 9 * 3_600_000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function startHttpServer(
  handler: (request: IncomingMessage, response: ServerResponse, body: string) => void,
): Promise<TestServer> {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => handler(request, response, body));
  });
  return listen(server);
}

export async function listen(server: Server | import('node:net').Server): Promise<TestServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that nothing listens on (bound then closed). */
export async function closedPort(): Promise<number> {
  const { createServer: createNetServer } = await import('node:net');
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

import type { KisAuth } from '../src/index.js';

/** A KisAuth that always returns `token` and records invalidations. */
export function fakeAuth(token = CANARY_TOKEN): KisAuth & { invalidated: string[] } {
  const invalidated: string[] = [];
  return {
    invalidated,
    getAccessToken: async () => token,
    invalidateToken: async (value) => {
      invalidated.push(value);
    },
    tokenStatus: async () => null,
    revokeToken: async () => {},
    getApprovalKey: async () => CANARY_APPROVAL,
  };
}
