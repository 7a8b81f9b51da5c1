// startKisSandbox: serves the virtual exchange core (given, or made here) as the KIS sandbox on
// 127.0.0.1. The server itself is server.ts; the REST handling is rest/. See SANDBOX.md.
import type { VirtualExchange, VirtualFault, VirtualFaults } from '../core/types.js';
import { sandboxExchange } from './exchange-access.js';
import { type RunningSandboxServer, startSandboxServer } from './server.js';
import type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';

/** The lines `qts sandbox` prints (architecture.md §5), as name -> value. */
export interface KisSandboxEnv {
  readonly QTS_MODE: KisSandboxEnvironment;
  readonly QTS_KIS_BASE_URL: string;
  readonly QTS_KIS_WS_URL: string;
  readonly QTS_KIS_APP_KEY: string;
  readonly QTS_KIS_APP_SECRET: string;
  readonly QTS_KIS_ACCOUNT: string;
  readonly QTS_KIS_HTS_ID: string;
}

export interface KisSandboxOptions extends KisSandboxTimingOptions {
  /** @defaultValue 'paper' */
  readonly environment?: KisSandboxEnvironment | undefined;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number | undefined;
  /** The exchange to serve. @defaultValue a new in-memory exchange (closed by `close()`) */
  readonly exchange?: VirtualExchange | undefined;
  /**
   * When the sandbox makes its exchange: refuse orders outside their session (the exchange's
   * `sessionRules`: KRX hours for limit and market orders, `ORDER_WINDOWS` for the other
   * divisions and venues). Move the clock with `POST /qts-sandbox/clock`. @defaultValue false
   */
  readonly sessionRules?: boolean | undefined;
  /** @defaultValue generated (app key 36 chars, secret 180, account NNNNNNNN-NN, HTS id) */
  readonly credentials?: KisSandboxCredentials | undefined;
  /**
   * How long a `refuse-connection` fault scripted through `sandbox.faults` keeps the port
   * closed (every connection attempt meanwhile gets ECONNREFUSED). @defaultValue 500
   */
  readonly refuseConnectionMs?: number | undefined;
  /**
   * Keep HTTP connections alive between requests. Off by default (`Connection: close`), so that
   * a refused port reaches the very next request as ECONNREFUSED. @defaultValue false
   */
  readonly keepAlive?: boolean | undefined;
}

export interface KisSandbox {
  readonly environment: KisSandboxEnvironment;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** `ws://127.0.0.1:<port>` (serves `/`, `/tryitout`, `/tryitout/H0STCNI0`, `/tryitout/H0STCNI9`). */
  readonly wsUrl: string;
  readonly credentials: KisSandboxCredentials;
  readonly exchange: VirtualExchange;
  /**
   * `exchange.faults`, except that `next('connect', { kind: 'refuse-connection' })` closes the
   * port at once for `refuseConnectionMs` (real ECONNREFUSED). Faults queued directly on
   * `exchange.faults` apply when the next connection or request arrives (the socket is reset).
   */
  readonly faults: VirtualFaults;
  /** The env lines `qts sandbox` prints: `Object.entries(sandbox.env).map(([k, v]) => `${k}=${v}`)`. */
  readonly env: KisSandboxEnv;
  /** The same REST handling for a fetch `Request`, without the network. */
  handleKisRequest(request: Request): Promise<Response>;
  /** Stops serving, drops WebSocket clients and hanging requests; closes the exchange if it made it. */
  close(): Promise<void>;
}

/** Marks refusals queued by `sandbox.faults` (drained when the port reopens). */
const REFUSE: VirtualFault = Object.freeze({ kind: 'refuse-connection' });

/** Starts the sandbox on 127.0.0.1. */
export async function startKisSandbox(options: KisSandboxOptions = {}): Promise<KisSandbox> {
  // The clock the sandbox makes its exchange with can be moved (POST /qts-sandbox/clock).
  const { exchange, access, clock, own: ownExchange } = sandboxExchange(options);
  let running: RunningSandboxServer;
  try {
    running = await startSandboxServer(access, { ...options, clock });
  } catch (error) {
    if (ownExchange) exchange.close();
    throw error;
  }
  const refuseMs = options.refuseConnectionMs ?? 500;
  const core = exchange.faults;
  const drainConnectRefusals = (): void => {
    while (core.pending().find((p) => p.operation === 'connect')?.fault === REFUSE) {
      core.take('connect');
    }
  };
  const faults: VirtualFaults = {
    next(operation, fault, times) {
      if (operation === 'connect' && fault.kind === 'refuse-connection') {
        core.next(operation, REFUSE, times);
        running.refuseConnections(refuseMs, drainConnectRefusals);
        return;
      }
      core.next(operation, fault, times);
    },
    nextNotice: (fault, times) => core.nextNotice(fault, times),
    take: (operation) => core.take(operation),
    takeNotice: () => core.takeNotice(),
    requestCount: (operation) => core.requestCount(operation),
    pending: () => core.pending(),
    clear: () => core.clear(),
  };
  const env: KisSandboxEnv = {
    QTS_MODE: running.environment,
    QTS_KIS_BASE_URL: running.baseUrl,
    QTS_KIS_WS_URL: running.wsUrl,
    QTS_KIS_APP_KEY: running.credentials.appKey,
    QTS_KIS_APP_SECRET: running.credentials.appSecret,
    QTS_KIS_ACCOUNT: running.credentials.account,
    QTS_KIS_HTS_ID: running.credentials.htsId,
  };
  return {
    environment: running.environment,
    port: running.port,
    baseUrl: running.baseUrl,
    wsUrl: running.wsUrl,
    credentials: running.credentials,
    exchange,
    faults,
    env,
    handleKisRequest: (request) => running.handleKisRequest(request),
    async close(): Promise<void> {
      await running.close();
      if (ownExchange) exchange.close();
    },
  };
}
