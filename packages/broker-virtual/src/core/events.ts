// The exchange's events: drafts queued by an operation, numbered and delivered in order after its
// commit (also when a listener calls the exchange again: its events queue up behind).

import type { VirtualEvent, VirtualEventListener, VirtualOrder } from './types.js';

/** An event before delivery gives it its sequence number. */
export type EventDraft = Omit<VirtualEvent, 'sequence'>;

/** A draft of `kind` for `order` at `at`; the other fields null unless given. */
export function eventDraft(
  kind: EventDraft['kind'],
  order: VirtualOrder,
  at: number,
  details: Partial<
    Pick<EventDraft, 'originalOrder' | 'fillQuantity' | 'fillPrice' | 'code' | 'message'>
  > = {},
): EventDraft {
  return {
    kind,
    account: order.account,
    order,
    originalOrder: details.originalOrder ?? null,
    fillQuantity: details.fillQuantity ?? null,
    fillPrice: details.fillPrice ?? null,
    code: details.code ?? null,
    message: details.message ?? null,
    at,
  };
}

export function createEventOutbox() {
  const listeners = new Set<VirtualEventListener>();
  const outbox: VirtualEvent[] = [];
  let sequence = 0;
  let lastEvent: VirtualEvent | null = null;
  let draining = false;

  function emit(events: readonly VirtualEvent[]): void {
    outbox.push(...events);
    if (draining) return;
    draining = true;
    try {
      for (let next = outbox.shift(); next !== undefined; next = outbox.shift()) {
        lastEvent = next;
        for (const listener of [...listeners]) {
          try {
            listener(next);
          } catch {
            // A listener must not throw; its errors are ignored.
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    /** Numbers the drafts and delivers them. */
    publish(drafts: readonly EventDraft[]): void {
      emit(drafts.map((draft) => ({ ...draft, sequence: ++sequence })));
    },
    onEvent(listener: VirtualEventListener): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    /** Delivers the last event again; false when there was none. */
    replayLast(): boolean {
      if (lastEvent === null) return false;
      emit([lastEvent]);
      return true;
    },
    clear(): void {
      listeners.clear();
    },
  };
}
