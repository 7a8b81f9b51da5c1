// startKisSandbox over an ExchangePort (the public wrapper over the core is in index.ts).
import type { ExchangePort } from './exchange-port.js';
import { startServer } from './server.js';
import { createSandboxState, fetchResponseOf, outcomeOfFetchRequest } from './state.js';
import type {
  KisSandboxCredentials,
  KisSandboxEnvironment,
  KisSandboxTimingOptions,
} from './types.js';

export interface StartOnPortOptions extends KisSandboxTimingOptions {
  readonly environment?: KisSandboxEnvironment | undefined;
  /** 0 (default) = a free port. */
  readonly port?: number | undefined;
  readonly credentials?: KisSandboxCredentials | undefined;
  /** Keep HTTP connections alive between requests. @defaultValue false (`Connection: close`) */
  readonly keepAlive?: boolean | undefined;
}

export interface RunningSandboxBase {
  readonly environment: KisSandboxEnvironment;
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

export async function startOnPort(
  exchangePort: ExchangePort,
  options: StartOnPortOptions = {},
): Promise<RunningSandboxBase> {
  const state = createSandboxState({ ...options, port: exchangePort });
  const server = await startServer(state, options.port ?? 0, options.keepAlive ?? false);
  return {
    environment: state.environment,
    port: server.port,
    baseUrl: `http://127.0.0.1:${server.port}`,
    wsUrl: `ws://127.0.0.1:${server.port}`,
    credentials: state.credentials,
    async handleKisRequest(request: Request): Promise<Response> {
      return fetchResponseOf(await outcomeOfFetchRequest(state, request), request.signal);
    },
    refuseConnections: (ms, reopened) => server.refuseConnections(ms, reopened),
    close: () => server.close(),
  };
}
