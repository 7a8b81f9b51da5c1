// Public types of the KIS sandbox.

export type KisSandboxEnvironment = 'real' | 'paper';

/** Credentials a KIS client uses against the sandbox (the sandbox generates them unless given). */
export interface KisSandboxCredentials {
  /** 36 chars. */
  readonly appKey: string;
  /** 180 chars. */
  readonly appSecret: string;
  /** `NNNNNNNN-NN` (CANO-ACNT_PRDT_CD). */
  readonly account: string;
  /** HTS id: the `tr_key` of the execution-notice subscription. */
  readonly htsId: string;
}

/** KIS timings and limits; defaults are KIS's values. */
export interface KisSandboxTimingOptions {
  /** Requests per second per app key on /uapi; null or 0 = off. Default: real 20, paper 2 (KIS). */
  readonly rateLimitPerSecond?: number | null | undefined;
  /** One token issuance per this interval per app key (EGW00133). Default 60_000. */
  readonly tokenIssueIntervalMs?: number | undefined;
  /** Access-token lifetime. Default 86_400_000 (24 h). */
  readonly tokenLifetimeMs?: number | undefined;
  /** PINGPONG interval on the WebSocket. Default 110_000. */
  readonly pingIntervalMs?: number | undefined;
  /** Epoch-ms clock for tokens, rate limit and wire times. Default Date.now. */
  readonly clock?: (() => number) | undefined;
}
