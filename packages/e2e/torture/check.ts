// The invariants a round must keep, checked against the broker's book after the round settled.
// Pure: facts in, violations out (torture-invariants.test.ts plants each violation).

/** The journal's view of one order (the fields the checks use). */
export interface JournalOrder {
  readonly orderId: string;
  readonly clientOrderId: string | null;
  readonly brokerOrderId: string | null;
  readonly status: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: number;
  readonly price: number | null;
  readonly type: string;
  readonly filledQuantity: number;
  readonly tradingDate: string;
  readonly modifyBrokerOrderId: string | null;
  readonly cancelBrokerOrderId: string | null;
  readonly linkedBrokerOrderIds: readonly string[];
}

/** One record of the journal's event log. */
export interface JournalEventRow {
  readonly seq: number;
  readonly orderId: string;
  readonly from: string | null;
  readonly to: string;
  readonly filledQuantity: number | null;
  readonly cause: string;
}

/** One row of the broker's book (broker-virtual's order, new / modify / cancel). */
export interface BrokerRow {
  readonly orderNo: string;
  readonly originalOrderNo: string | null;
  readonly kind: 'order' | 'modify' | 'cancel';
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: number;
  readonly limitPrice: number | null;
  readonly filledQuantity: number;
  readonly status: string;
  readonly tradingDate: string;
}

/** What one process of the round did and how it ended. */
export interface OpOutcome {
  readonly index: number;
  readonly kind: 'order' | 'lib-order' | 'orders' | 'cancel' | 'modify' | 'watch' | 'lock';
  /** The exit code (null when killed). */
  readonly exit: number | null;
  readonly killed: boolean;
  readonly force: boolean;
  /** The client order id a place used. */
  readonly clientOrderId: string | null;
  /** The order a cancel / modify acted on. */
  readonly targetOrderId: string | null;
  /** The order the process printed on stdout (`--json`), if any. */
  readonly printed: { readonly orderId: string; readonly brokerOrderId: string | null } | null;
  /** Ids of the journal's orders (with status) when the process started. */
  readonly before: ReadonlyMap<string, string>;
  /** Orders of killed processes whose outcome was in doubt when this one started. */
  readonly deadInDoubtBefore: readonly string[];
  /** What it printed (shortened), for the report. */
  readonly output?: string;
}

export interface RoundFacts {
  readonly journal: readonly JournalOrder[];
  readonly events: readonly JournalEventRow[];
  readonly broker: readonly BrokerRow[];
  readonly ops: readonly OpOutcome[];
  /** True when the closing `qts orders` reconciled without error (fills are then comparable). */
  readonly reconciled: boolean;
}

export type InvariantName =
  | 'binding'
  | 'no-false-failure'
  | 'no-regression'
  | 'honest-exit'
  | 'no-second-order'
  | 'fills';

export interface Violation {
  readonly invariant: InvariantName;
  readonly detail: string;
}

const TERMINAL = new Set(['filled', 'canceled', 'rejected', 'failed', 'not_found']);
const IN_DOUBT = new Set(['submitted', 'unknown']);
const ANSWERED = new Set([
  'accepted',
  'partially_filled',
  'pending_cancel',
  'pending_modify',
  'cancel_unknown',
  'modify_unknown',
]);
const NOT_THERE = new Set(['failed', 'rejected', 'not_found', 'pending', 'submitted', 'unknown']);
const REVISING = new Set(['pending_cancel', 'pending_modify', 'cancel_unknown', 'modify_unknown']);

function fingerprint(o: {
  symbol: string;
  side: string;
  quantity: number;
  type: string;
  price: number | null;
}): string {
  return `${o.symbol}/${o.side}/${o.quantity}/${o.type}/${o.price ?? 'mkt'}`;
}
function rowFingerprint(r: BrokerRow): string {
  return fingerprint({ ...r, price: r.type === 'market' ? null : r.limitPrice });
}

/** Every broker number a journal order owns (its own, modify and cancel numbers). */
function chainOf(o: JournalOrder): Set<string> {
  const chain = new Set<string>(o.linkedBrokerOrderIds);
  for (const n of [o.brokerOrderId, o.modifyBrokerOrderId, o.cancelBrokerOrderId]) {
    if (n !== null) chain.add(n);
  }
  return chain;
}

/** Checks every invariant; an empty list means the round kept them all. */
export function checkRound(facts: RoundFacts): Violation[] {
  const out: Violation[] = [];
  const add = (invariant: InvariantName, detail: string) => out.push({ invariant, detail });
  const key = (date: string, no: string) => `${date}/${no}`;
  const rows = new Map(facts.broker.map((r) => [key(r.tradingDate, r.orderNo), r]));
  const newOrders = facts.broker.filter((r) => r.kind === 'order');
  const byClient = new Map(
    facts.journal.filter((o) => o.clientOrderId !== null).map((o) => [o.clientOrderId, o]),
  );

  // binding: each broker order is bound to at most one journal order; an unbound one must be
  // explainable by a journal order whose outcome is still in doubt (else it is a lost order).
  const boundTo = new Map<string, JournalOrder[]>();
  for (const o of facts.journal) {
    if (o.brokerOrderId === null) continue;
    const k = key(o.tradingDate, o.brokerOrderId);
    boundTo.set(k, [...(boundTo.get(k) ?? []), o]);
    if (!rows.has(k)) {
      add(
        'binding',
        `journal order ${o.orderId} (${o.status}) claims broker order ${o.brokerOrderId}, which the broker does not have`,
      );
    }
  }
  const unboundByPrint = new Map<string, BrokerRow[]>();
  for (const r of newOrders) {
    const owners = boundTo.get(key(r.tradingDate, r.orderNo)) ?? [];
    if (owners.length > 1) {
      add(
        'binding',
        `broker order ${r.orderNo} is bound to ${owners.length} journal orders (${owners.map((o) => o.orderId).join(', ')})`,
      );
    }
    if (owners.length === 0) {
      const f = rowFingerprint(r);
      unboundByPrint.set(f, [...(unboundByPrint.get(f) ?? []), r]);
    }
  }
  for (const [f, unbound] of unboundByPrint) {
    const doubt = facts.journal.filter(
      (o) => o.brokerOrderId === null && IN_DOUBT.has(o.status) && fingerprint(o) === f,
    );
    if (unbound.length > doubt.length) {
      const failed = facts.journal.filter(
        (o) => o.brokerOrderId === null && NOT_THERE.has(o.status) && fingerprint(o) === f,
      );
      const which = unbound.map((r) => r.orderNo).join(', ');
      if (failed.some((o) => ['failed', 'rejected', 'not_found'].includes(o.status))) {
        add(
          'no-false-failure',
          `broker has ${which} (${f}) while journal order(s) ${failed
            .filter((o) => !IN_DOUBT.has(o.status))
            .map((o) => `${o.orderId}=${o.status}`)
            .join(
              ', ',
            )} say it does not exist, and only ${doubt.length} in-doubt order(s) could own them`,
        );
      } else {
        add(
          'binding',
          `broker order(s) ${which} (${f}) are bound to no journal order and only ${doubt.length} in-doubt journal order(s) could own them (stray)`,
        );
      }
    }
  }
  // binding, revisions: a cancel / modify the broker booked on an order's chain is known to the
  // journal once the order is settled (else a later cancel goes to a stale number).
  for (const o of facts.journal) {
    if (o.brokerOrderId === null || IN_DOUBT.has(o.status) || REVISING.has(o.status)) continue;
    const chain = chainOf(o);
    for (const r of facts.broker) {
      if (r.kind === 'order' || r.originalOrderNo === null || r.tradingDate !== o.tradingDate)
        continue;
      if (chain.has(r.originalOrderNo) && !chain.has(r.orderNo)) {
        add(
          'binding',
          `broker ${r.kind} ${r.orderNo} of ${r.originalOrderNo} is not in the journal's order ${o.orderId} (${o.status})`,
        );
      }
    }
  }

  // no-false-failure, the bound case: a failed / rejected / not_found order with a live broker row.
  for (const o of facts.journal) {
    if (!['failed', 'rejected', 'not_found'].includes(o.status) || o.brokerOrderId === null)
      continue;
    const row = rows.get(key(o.tradingDate, o.brokerOrderId));
    if (row !== undefined && row.status !== 'rejected') {
      add(
        'no-false-failure',
        `journal order ${o.orderId} is ${o.status} while the broker has ${o.brokerOrderId} (${row.status})`,
      );
    }
  }

  // no-regression: terminal states never change, an answered order never goes back to a state
  // that says the broker does not have it, and filled quantity never decreases.
  const filled = new Map<string, number>();
  for (const e of [...facts.events].sort((a, b) => a.seq - b.seq)) {
    if (e.from !== null && TERMINAL.has(e.from) && e.to !== e.from) {
      add(
        'no-regression',
        `order ${e.orderId}: ${e.from} -> ${e.to} (${e.cause}); terminal states never change`,
      );
    } else if (e.from !== null && ANSWERED.has(e.from) && NOT_THERE.has(e.to)) {
      add(
        'no-regression',
        `order ${e.orderId}: ${e.from} -> ${e.to} (${e.cause}); the broker had answered`,
      );
    }
    if (e.filledQuantity !== null) {
      const was = filled.get(e.orderId) ?? 0;
      if (e.filledQuantity < was) {
        add(
          'no-regression',
          `order ${e.orderId}: filled quantity ${was} -> ${e.filledQuantity} (${e.cause})`,
        );
      }
      filled.set(e.orderId, Math.max(was, e.filledQuantity));
    }
  }

  // honest-exit: 0 = the broker has it, 1/2 = it does not (from this process), 3 = refused.
  const journalById = new Map(facts.journal.map((o) => [o.orderId, o]));
  const revisionsBy = (target: string, kind: 'cancel' | 'modify') => {
    const o = journalById.get(target);
    if (o === undefined) return [];
    const chain = chainOf(o);
    return facts.broker.filter(
      (r) => r.kind === kind && r.originalOrderNo !== null && chain.has(r.originalOrderNo),
    );
  };
  for (const op of facts.ops) {
    if (op.killed || op.exit === null) continue;
    const label = `op #${op.index} ${op.kind}${op.output === undefined ? '' : ` [${op.output}]`}`;
    if (op.kind === 'order' || op.kind === 'lib-order') {
      const mine = op.clientOrderId === null ? undefined : byClient.get(op.clientOrderId);
      if (op.exit === 0) {
        const no = op.printed?.brokerOrderId ?? mine?.brokerOrderId ?? null;
        if (no === null) {
          add(
            'honest-exit',
            `${label} exited 0 but its order ${op.printed?.orderId ?? mine?.orderId ?? '?'} has no broker order number (status ${mine?.status ?? '?'})`,
          );
        } else if (![...rows.values()].some((r) => r.orderNo === no && r.kind === 'order')) {
          add(
            'honest-exit',
            `${label} exited 0 with broker order ${no}, which the broker does not have`,
          );
        }
      } else if (op.exit === 1 || op.exit === 2 || op.exit === 3) {
        // Another process with the same client order id may have sent it: not this one's.
        const shared = facts.ops.some(
          (x) =>
            x !== op &&
            x.clientOrderId === op.clientOrderId &&
            (x.killed || x.exit === 0 || x.exit === 4 || x.exit === null),
        );
        if (shared) continue;
        if (mine !== undefined && mine.brokerOrderId !== null) {
          const row = rows.get(key(mine.tradingDate, mine.brokerOrderId));
          if (row !== undefined && row.status !== 'rejected') {
            add(
              'honest-exit',
              `${label} exited ${op.exit} but the broker has its order ${mine.brokerOrderId} (${row.status})`,
            );
          }
        }
        if (mine !== undefined && !op.before.has(mine.orderId) && IN_DOUBT.has(mine.status)) {
          add(
            'honest-exit',
            `${label} exited ${op.exit} (${op.exit === 3 ? 'refused' : 'not sent'}) but its journal order ${mine.orderId} is ${mine.status}`,
          );
        }
      }
    } else if ((op.kind === 'cancel' || op.kind === 'modify') && op.targetOrderId !== null) {
      const done = revisionsBy(op.targetOrderId, op.kind);
      if (op.exit === 0 && done.length === 0) {
        add(
          'honest-exit',
          `${label} of ${op.targetOrderId} exited 0 but the broker has no ${op.kind} of it`,
        );
      }
      if (op.exit === 1 || op.exit === 2) {
        const others = facts.ops.filter(
          (x) =>
            x !== op &&
            x.kind === op.kind &&
            x.targetOrderId === op.targetOrderId &&
            (x.killed || x.exit === 0 || x.exit === 4 || x.exit === null),
        ).length;
        if (done.length > others) {
          add(
            'honest-exit',
            `${label} of ${op.targetOrderId} exited ${op.exit} (not sent) but the broker has ${done.length} ${op.kind}(s) of it and only ${others} other process(es) may have sent one`,
          );
        }
      }
    }
  }

  // no-second-order: a place that succeeded while an earlier order with the same fingerprint was
  // in doubt (its process killed) must not leave the broker with two of them.
  for (const op of facts.ops) {
    if (op.kind !== 'order' && op.kind !== 'lib-order') continue;
    if (op.exit !== 0 || op.force || op.clientOrderId === null) continue;
    const mine = byClient.get(op.clientOrderId);
    if (mine === undefined || op.before.has(mine.orderId)) continue;
    const f = fingerprint(mine);
    // The journal is one file: its event sequence orders every process's writes. The earlier
    // order counts only if it was still in doubt when this one was journaled (a reconcile in
    // between may have bound it, and a second order is then the user's own choice).
    const createdAt = Math.min(
      ...facts.events.filter((e) => e.orderId === mine.orderId).map((e) => e.seq),
    );
    const statusAt = (id: string) =>
      facts.events.filter((e) => e.orderId === id && e.seq < createdAt).at(-1)?.to ?? null;
    const earlier = op.deadInDoubtBefore
      .map((id) => journalById.get(id))
      .filter((o): o is JournalOrder => o !== undefined && fingerprint(o) === f)
      .filter((o) => {
        const then = statusAt(o.orderId);
        return then === null || IN_DOUBT.has(then) || then === 'pending';
      });
    if (earlier.length === 0) continue;
    const rowsOfPrint = newOrders.filter((r) => rowFingerprint(r) === f);
    const mineRows = rowsOfPrint.filter((r) => r.orderNo === mine.brokerOrderId);
    const theirs = rowsOfPrint.filter((r) => {
      const owners = boundTo.get(key(r.tradingDate, r.orderNo)) ?? [];
      return owners.length === 0 || owners.some((o) => earlier.includes(o));
    });
    if (mineRows.length > 0 && theirs.length > 0) {
      add(
        'no-second-order',
        `${`op #${op.index}`} placed ${mine.brokerOrderId} (${f}) and exited 0 while ${earlier.map((o) => o.orderId).join(', ')} of a killed process was in doubt and the broker has it too (${theirs.map((r) => r.orderNo).join(', ')})`,
      );
    }
  }
  // no-second-order, replays: one client order id, at most one broker order.
  for (const o of facts.journal) {
    const chainRows = newOrders.filter((r) => r.orderNo === o.brokerOrderId);
    if (chainRows.length > 1) {
      add(
        'no-second-order',
        `journal order ${o.orderId} matches ${chainRows.length} broker orders`,
      );
    }
  }

  // fills: once reconciled, the journal's filled quantity is the broker's over the order's chain.
  if (facts.reconciled) {
    for (const o of facts.journal) {
      if (o.brokerOrderId === null || IN_DOUBT.has(o.status) || REVISING.has(o.status)) continue;
      const chain = chainOf(o);
      const broker = facts.broker
        .filter(
          (r) =>
            r.tradingDate === o.tradingDate &&
            r.kind !== 'cancel' &&
            (r.orderNo === o.brokerOrderId || (r.kind === 'modify' && chain.has(r.orderNo))),
        )
        .reduce((sum, r) => sum + r.filledQuantity, 0);
      if (broker !== o.filledQuantity) {
        add(
          'fills',
          `journal order ${o.orderId} (${o.status}) has ${o.filledQuantity} filled, the broker ${broker} (${[...chain].join(', ')})`,
        );
      }
    }
  }
  return out;
}
