// A round's plan, drawn from its seed alone: the same seed gives the same plan.
import { createRng } from './rng.js';

export type Environment = 'paper' | 'real' | 'virtual';
export type OpKind = 'order' | 'lib-order' | 'orders' | 'cancel' | 'modify' | 'watch' | 'lock';

/** A sandbox fault scripted just before an op starts (KIS environments only). */
export type PlannedFault =
  | { readonly operation: 'place' | 'cancel' | 'modify'; readonly kind: 'never-answer' }
  | { readonly operation: 'place' | 'cancel' | 'modify'; readonly kind: 'reset-after-accept' }
  | {
      readonly operation: 'place' | 'cancel' | 'modify';
      readonly kind: 'delay';
      readonly ms: number;
    }
  | {
      readonly operation: 'place' | 'cancel' | 'modify';
      readonly kind: 'reject';
      readonly code: string;
      readonly message: string;
    }
  | { readonly operation: 'connect'; readonly kind: 'refuse-connection' };

export interface OrderParams {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  /** null: a market order. */
  readonly price: number | null;
}

export interface PlannedOp {
  readonly index: number;
  readonly kind: OpKind;
  /** Start, ms after the round's start. */
  readonly startMs: number;
  readonly order: OrderParams | null;
  readonly clientOrderId: string | null;
  readonly force: boolean;
  /** [0, 1): which journal order a cancel / modify takes (chosen when it starts). */
  readonly targetPick: number;
  /** Ticks below the current price for a modify. */
  readonly modifyTicks: number;
  /** SIGKILL this long after the start, or null. */
  readonly killAfterMs: number | null;
  /** Kill only once the process owns an in-flight journal record (then `killAfterMs` % 80 later). */
  readonly killInFlight: boolean;
  /** After the kill, give the dead owner's pid in the journal to a live unrelated process. */
  readonly reusePid: boolean;
  readonly fault: PlannedFault | null;
  /** The child's clock offset (libfaketime), seconds; 0 = none. */
  readonly skewSec: number;
  /** How long a watch runs before SIGINT; how long a `lock` holds the journal's write lock. */
  readonly watchMs: number;
}

export interface RoundPlan {
  readonly seed: number;
  readonly environment: Environment;
  /** The broker's clock minus ours, ms (the sandbox's clock; KIS environments). */
  readonly brokerSkewMs: number;
  readonly noticeFault: { readonly kind: 'drop' | 'duplicate'; readonly times: number } | null;
  readonly ops: readonly PlannedOp[];
}

/** Reference prices (KRX tick 100 in this range). */
export const SYMBOLS: readonly { readonly symbol: string; readonly price: number }[] = [
  { symbol: '005930', price: 70_000 },
  { symbol: '000660', price: 150_000 },
];

export function planRound(seed: number, options: { skew: boolean }): RoundPlan {
  const rng = createRng(seed);
  const environment = rng.pick<Environment>(['paper', 'real', 'virtual']);
  const kis = environment !== 'virtual';
  const brokerSkewMs = kis && options.skew ? rng.int(-30_000, 30_000) : 0;
  const noticeFault =
    kis && rng.chance(0.5)
      ? { kind: rng.pick(['drop', 'duplicate'] as const), times: rng.int(1, 3) }
      : null;
  const count = rng.int(8, 16);
  const ops: PlannedOp[] = [];
  const placed: { order: OrderParams; clientOrderId: string; startMs: number }[] = [];
  let start = 0;
  for (let index = 0; index < count; index += 1) {
    // Bursts: most ops start with the previous one, some after a pause.
    start += rng.chance(0.6) ? rng.int(0, 60) : rng.int(200, 1_200);
    const roll = rng.next();
    const kind: OpKind =
      roll < 0.42
        ? 'order'
        : roll < 0.52
          ? 'lib-order'
          : roll < 0.62
            ? 'orders'
            : roll < 0.77
              ? 'cancel'
              : roll < 0.89
                ? 'modify'
                : roll < 0.96
                  ? 'watch'
                  : 'lock';
    let order: OrderParams | null = null;
    let clientOrderId: string | null = null;
    let startMs = start;
    if (kind === 'order' || kind === 'lib-order') {
      if (placed.length > 0 && rng.chance(0.25)) {
        // A replay of an earlier client order id, with the same order, soon after the first.
        const earlier = rng.pick(placed);
        order = earlier.order;
        clientOrderId = earlier.clientOrderId;
        startMs = earlier.startMs + rng.int(50, 1_800);
      } else {
        // Few distinct orders, so that the same symbol, side, quantity and price recur.
        const { symbol, price } = rng.pick(SYMBOLS);
        const side = rng.chance(0.1) ? 'sell' : 'buy';
        const market = rng.chance(0.1);
        const crossing = rng.chance(0.35);
        order = {
          symbol,
          side,
          quantity: rng.chance(0.8) ? 1 : 2,
          price: market ? null : crossing ? price : price - 100 * rng.int(1, 2),
        };
        clientOrderId = `t${seed.toString(36)}-${index}`;
        placed.push({ order, clientOrderId, startMs });
      }
    }
    const sends =
      kind === 'order' || kind === 'lib-order' || kind === 'cancel' || kind === 'modify';
    const killAfterMs = sends && rng.chance(0.3) ? rng.int(0, 900) : null;
    const killInFlight = killAfterMs !== null && rng.chance(0.6);
    let fault: PlannedFault | null = null;
    if (kis && sends && rng.chance(0.35)) {
      const operation = kind === 'cancel' ? 'cancel' : kind === 'modify' ? 'modify' : 'place';
      const f = rng.int(0, 4);
      fault =
        f === 0
          ? { operation, kind: 'never-answer' }
          : f === 1
            ? { operation, kind: 'reset-after-accept' }
            : f === 2
              ? { operation, kind: 'delay', ms: rng.int(100, 2_500) }
              : f === 3
                ? {
                    operation,
                    kind: 'reject',
                    code: 'APBK0919',
                    message: '주문가능금액을 초과 했습니다',
                  }
                : { operation: 'connect', kind: 'refuse-connection' };
    }
    ops.push({
      index,
      kind,
      startMs,
      order,
      clientOrderId,
      force: (kind === 'order' || kind === 'lib-order') && rng.chance(0.05),
      targetPick: rng.next(),
      modifyTicks: rng.int(1, 3),
      killAfterMs,
      killInFlight,
      reusePid: killAfterMs !== null && rng.chance(0.5),
      fault,
      skewSec: options.skew && rng.chance(0.3) ? rng.int(-30, 30) : 0,
      watchMs: kind === 'lock' ? rng.int(5_300, 7_000) : rng.int(800, 2_500),
    });
  }
  // A user re-running a place whose process died: the same order, a new client order id.
  for (const killed of ops.filter((o) => o.order !== null && o.killAfterMs !== null)) {
    if (!rng.chance(0.7)) continue;
    ops.push({
      ...killed,
      index: ops.length,
      kind: 'order',
      startMs: killed.startMs + rng.int(1_200, 3_000),
      clientOrderId: `${killed.clientOrderId ?? 'x'}-r`,
      force: false,
      killAfterMs: null,
      killInFlight: false,
      reusePid: false,
      fault: null,
    });
  }
  return { seed, environment, brokerSkewMs, noticeFault, ops };
}
