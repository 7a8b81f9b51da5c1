// The sandbox's server: node:http + ws on 127.0.0.1 speaking KIS REST and WebSocket notices over
// an ExchangeAccess. `startKisSandbox` (start.ts) serves the exchange core through it; the
// protocol tests serve a fake exchange.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ExchangeAccess, ExchangeFault } from './exchange-access.js';
import { answerFetchRequest } from './request-handler.js';
import type { SandboxRequest } from './rest/common.js';
import { createSandboxState, type SandboxState } from './state.js';
import type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';
import { createNoticeHub, WEBSOCKET_PATHS } from './websocket.js';
import type { WireOutcome } from './wire.js';

export interface SandboxServerOptions extends KisSandboxTimingOptions {
  readonly environment?: KisSandboxEnvironment | undefined;
  /** TCP port on 127.0.0.1; 0 (default) = a free port. */
  readonly port?: number | undefined;
  readonly credentials?: KisSandboxCredentials | undefined;
  /** Keep HTTP connections alive between requests. @defaultValue false (`Connection: close`) */
  readonly keepAlive?: boolean | undefined;
}

export interface RunningSandboxServer {
  readonly environment: KisSandboxEnvironment;
  /** The TCP port it listens on. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** `ws://127.0.0.1:<port>` (paths `/`, `/tryitout`, `/tryitout/H0STCNI0`, `/tryitout/H0STCNI9`). */
  readonly wsUrl: string;
  readonly credentials: KisSandboxCredentials;
  /** The same KIS REST handling for a fetch `Request` (no network). */
  handleKisRequest(request: Request): Promise<Response>;
  /** Stops listening for `ms` (ECONNREFUSED), then listens again on the same port. */
  refuseConnections(ms: number, reopened?: () => void): void;
  /** Stops the server, drops WebSocket clients and hanging requests. Idempotent. */
  close(): Promise<void>;
}

/** Serves KIS REST and WebSocket notices over `exchange` on 127.0.0.1. */
export async function startSandboxServer(
  exchange: ExchangeAccess,
  options: SandboxServerOptions = {},
): Promise<RunningSandboxServer> {
  const state = createSandboxState({ ...options, exchange });
  const listening = await openSandboxServer(state, options.port ?? 0, options.keepAlive ?? false);
  return {
    environment: state.environment,
    port: listening.port,
    baseUrl: `http://127.0.0.1:${listening.port}`,
    wsUrl: `ws://127.0.0.1:${listening.port}`,
    credentials: state.credentials,
    handleKisRequest: (request) => answerFetchRequest(state, request),
    refuseConnections: (ms, reopened) => listening.refuseConnections(ms, reopened),
    close: () => listening.close(),
  };
}

interface Listening {
  readonly port: number;
  /**
   * Stops listening for `ms` (connection attempts get ECONNREFUSED; idle kept-alive connections
   * are closed), then listens again on the same port and calls `reopened`.
   */
  refuseConnections(ms: number, reopened?: () => void): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function destroyHard(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

async function openSandboxServer(
  state: SandboxState,
  listenPort: number,
  keepAlive: boolean,
): Promise<Listening> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const delayedSockets = new WeakMap<Socket, number>();
  let closing = false;

  const hub = createNoticeHub({
    environment: state.environment,
    credentials: state.credentials,
    tokens: state.tokens,
    exchange: state.exchange,
    clock: state.clock,
    pingIntervalMs: state.pingIntervalMs,
  });
  const wss = new WebSocketServer({ noServer: true });

  /** A timer close() cancels (the waiting request is then dropped with its socket). */
  function wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  function refuses(fault: ExchangeFault | null): boolean {
    return fault?.kind === 'refuse-connection';
  }

  function send(response: ServerResponse, outcome: Extract<WireOutcome, { kind: 'respond' }>) {
    if (response.destroyed || closing) return;
    const { status, headers, body } = outcome.response;
    response.statusCode = status;
    // setHeader keeps the case given: `Content-Type` capitalised, `tr_id` etc. lower case.
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.setHeader('Content-Length', String(Buffer.byteLength(body)));
    // Without keep-alive every request opens a new connection, so a refused port is seen as
    // ECONNREFUSED by the next request (not as a reset of a pooled socket).
    if (!keepAlive) response.setHeader('Connection', 'close');
    response.end(body);
  }

  async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const socket = request.socket;
    // A 'connect' fault queued while this kept-alive socket was open applies to this request.
    if (state.exchange.hasConnectFault()) {
      const fault = state.exchange.takeFault('connect');
      if (refuses(fault)) {
        destroyHard(socket);
        server.closeIdleConnections();
        return;
      }
      if (fault?.kind === 'delay') await wait(fault.ms);
      if (closing) return;
    }
    const delay = delayedSockets.get(socket);
    if (delay !== undefined) {
      delayedSockets.delete(socket);
      await wait(delay);
      if (closing) return;
    }
    const bodyText = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const sandboxRequest: SandboxRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      header: (name) => {
        const value = request.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      bodyText,
    };
    apply(state.rest.handle(sandboxRequest), response, socket);
  }

  function apply(outcome: WireOutcome, response: ServerResponse, socket: Socket): void {
    if (closing) return;
    switch (outcome.kind) {
      case 'respond':
        send(response, outcome);
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          apply(outcome.resume(), response, socket);
        }, outcome.ms);
        timers.add(timer);
        return;
      }
      case 'hang':
        return; // booked; never answered (close() destroys the socket)
      case 'reset':
      case 'refuse':
        destroyHard(socket);
        return;
    }
  }

  const server = createServer({ keepAlive: true }, (request, response) => {
    onRequest(request, response).catch(() => {
      if (!response.headersSent) {
        response.statusCode = 500;
        response.setHeader('Content-Type', 'application/json; charset=UTF-8');
        response.end(JSON.stringify({ rt_cd: '1', msg_cd: 'QTSV1999', msg1: 'sandbox error' }));
      }
    });
  });

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  /** One 'connect' fault is taken per new TCP connection (WebSocket upgrades included). */
  function accept(socket: Socket): void {
    const fault = state.exchange.takeFault('connect');
    if (refuses(fault)) {
      destroyHard(socket);
      return;
    }
    if (fault?.kind === 'delay') {
      // A slow connection: its first request is served only after the delay.
      delayedSockets.set(socket, fault.ms);
    }
    server.emit('connection', socket);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (closing || !WEBSOCKET_PATHS.has(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => hub.attach(ws));
  });

  // The HTTP server never listens itself: a plain TCP listener hands it the sockets, so the
  // listener can be closed for a while (a real ECONNREFUSED) without touching open connections.
  const listenAt = (at: number): Promise<NetServer> =>
    new Promise<NetServer>((resolve, reject) => {
      const listener = createNetServer(accept);
      listener.once('error', reject);
      listener.listen(at, '127.0.0.1', () => {
        listener.off('error', reject);
        resolve(listener);
      });
    });
  let listener: NetServer | null = await listenAt(listenPort);
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox: no TCP address');
  const boundPort = address.port;
  let reopenTimer: NodeJS.Timeout | null = null;

  return {
    port: boundPort,
    refuseConnections(ms: number, reopened?: () => void): void {
      if (closing) return;
      listener?.close();
      listener = null;
      server.closeIdleConnections();
      if (reopenTimer !== null) clearTimeout(reopenTimer);
      reopenTimer = setTimeout(() => {
        reopenTimer = null;
        if (closing) return;
        listenAt(boundPort).then(
          (reopenedListener) => {
            if (closing) reopenedListener.close();
            else listener = reopenedListener;
            reopened?.();
          },
          () => reopened?.(),
        );
      }, ms);
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      if (reopenTimer !== null) clearTimeout(reopenTimer);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      hub.close();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const current = listener;
      listener = null;
      const closed =
        current === null
          ? Promise.resolve()
          : new Promise<void>((resolve) => current.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
