// Records left in flight by a process that died: settled only when their owner is proven gone,
// and only if the record is still exactly as it was judged (compare-and-set).
import { OutcomeUnknownError, RouteUnavailableError } from '@qts/order-contract';
import { applyTransition, type OrderChange } from '../apply.js';
import { IN_FLIGHT, type RouteContext } from '../context.js';
import { JournalConflictError } from '../journal/conflict.js';

const DIED = 'the process that sent it stopped';

/**
 * Settles the in-flight records (pending, submitted, pending_cancel, pending_modify) whose owner
 * is proven gone: `pending` (never sent) becomes `failed`; `submitted` becomes `unknown` (then
 * reconciled); a pending cancel / modify becomes cancel_unknown / modify_unknown. Each write
 * expects the status, version and owner read just before the owner was judged: a record that an
 * answer (or another process's recovery) changed meanwhile is left alone.
 *
 * @returns The changes made.
 */
export function recoverAbandoned(ctx: RouteContext): OrderChange[] {
  const changes: OrderChange[] = [];
  for (const listed of ctx.journal.list({ statuses: IN_FLIGHT })) {
    const record = ctx.journal.read(listed.orderId);
    if (record === null || !IN_FLIGHT.includes(record.order.status)) continue;
    const { order, version, owner } = record;
    if (owner !== null && ctx.ownerAlive(owner)) continue;
    const expect = { status: order.status, version, owner };
    try {
      if (order.status === 'pending') {
        const error = new RouteUnavailableError(
          `The process that journaled order ${order.orderId} stopped before sending it; nothing was sent.`,
          { code: 'ABORTED' },
        );
        applyTransition(
          ctx,
          order,
          { type: 'send-failed' },
          { error: error.toJSON() },
          {
            cause: 'recovery',
            owner: null,
            expect,
            reason: `${DIED} before sending: never sent`,
          },
          changes,
        );
      } else if (order.status === 'submitted') {
        const error = new OutcomeUnknownError(
          `The process that sent order ${order.orderId} stopped before recording the answer.`,
        );
        applyTransition(
          ctx,
          order,
          { type: 'outcome-unknown' },
          { error: error.toJSON() },
          {
            cause: 'recovery',
            owner: null,
            expect,
            reason: `${DIED} after sending, before the answer was recorded: reconcile`,
          },
          changes,
        );
      } else {
        applyTransition(
          ctx,
          order,
          { type: order.status === 'pending_cancel' ? 'cancel-unknown' : 'modify-unknown' },
          {},
          {
            cause: 'recovery',
            owner: null,
            expect,
            reason: `${DIED} during the request: reconcile`,
          },
          changes,
        );
      }
    } catch (error) {
      if (!JournalConflictError.isInstance(error)) throw error;
      // Answered (or recovered by another process) after we read it: not ours to touch.
      ctx.logger({
        level: 'info',
        message: `order ${order.orderId} changed while being recovered; left as it is now`,
        orderId: order.orderId,
      });
    }
  }
  return changes;
}
