// The execution route, assembled from its parts: submit/, revise/ (cancel and modify),
// recovery/, reconcile/ and watch/, over one shared context.
import { createRouteContext } from './context.js';
import { reconcile as reconcileWithBroker } from './reconcile/reconcile.js';
import { recoverAbandoned } from './recovery/recovery.js';
import { cancel as cancelOrder, modify as modifyOrder } from './revise/revise.js';
import { submit as submitIntent } from './submit/submit.js';
import type { ExecutionRoute, ExecutionRouteOptions } from './types.js';
import { watch as watchResults } from './watch/watch.js';

export type {
  ExecutionRoute,
  ExecutionRouteOptions,
  RouteCheckpoint,
  RouteOrdersQuery,
  RouteResult,
  SubmitOptions,
  WatchOptions,
  WatchStatus,
} from './types.js';

/**
 * Creates the execution route over an injected adapter and journal. Opening it recovers records
 * left in flight by a process proven gone (`recovered`): `pending` (journaled, never sent)
 * becomes `failed`; `submitted` becomes `unknown` (reconcile it); a pending cancel / modify
 * becomes cancel_unknown / modify_unknown.
 */
export function createExecutionRoute(options: ExecutionRouteOptions): ExecutionRoute {
  const ctx = createRouteContext(options);
  const recovered = recoverAbandoned(ctx);
  for (const change of recovered) ctx.logger({ level: 'warn', message: 'recovered', ...change });
  return {
    mode: ctx.mode,
    journal: ctx.journal,
    recovered,
    submit: (intent, submitOptions) => submitIntent(ctx, intent, submitOptions),
    cancel: (orderId, callOptions) => cancelOrder(ctx, orderId, callOptions),
    modify: (orderId, change, callOptions) => modifyOrder(ctx, orderId, change, callOptions),
    orders: (query = {}) => ctx.journal.list(query),
    order: (orderId) => ctx.journal.get(orderId),
    reconcile: (reconcileOptions) => reconcileWithBroker(ctx, reconcileOptions),
    watch: (watchOptions) => watchResults(ctx, watchOptions),
    strays: () => [...ctx.strays],
  };
}
