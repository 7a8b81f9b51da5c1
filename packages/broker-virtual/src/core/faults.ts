import type { FaultOperation, NoticeFault, VirtualFault, VirtualFaults } from './types.js';

const OPERATIONS: readonly FaultOperation[] = [
  'place',
  'cancel',
  'modify',
  'inquiry',
  'balance',
  'connect',
];

function checkTimes(times: number): void {
  if (!Number.isInteger(times) || times < 1) {
    throw new RangeError(`times must be a whole number of at least 1 (got ${String(times)}).`);
  }
}

function checkFault(fault: VirtualFault): void {
  if (fault.kind === 'delay' && (!Number.isFinite(fault.ms) || fault.ms < 0)) {
    throw new RangeError(`A delay needs ms >= 0 (got ${String(fault.ms)}).`);
  }
}

/** Creates the FIFO fault queues of one exchange. */
export function createFaultQueues(): VirtualFaults {
  const queues = new Map<FaultOperation, VirtualFault[]>(OPERATIONS.map((op) => [op, []]));
  const counts = new Map<FaultOperation, number>(OPERATIONS.map((op) => [op, 0]));
  const notices: NoticeFault[] = [];
  const queueOf = (operation: FaultOperation): VirtualFault[] => {
    const queue = queues.get(operation);
    if (queue === undefined) throw new RangeError(`Unknown fault operation: ${String(operation)}.`);
    return queue;
  };
  return {
    next(operation, fault, times = 1) {
      checkTimes(times);
      checkFault(fault);
      const queue = queueOf(operation);
      for (let i = 0; i < times; i += 1) queue.push(fault);
    },
    nextNotice(fault, times = 1) {
      checkTimes(times);
      if (fault !== 'drop' && fault !== 'duplicate') {
        throw new RangeError(`A notice fault is 'drop' or 'duplicate' (got ${String(fault)}).`);
      }
      for (let i = 0; i < times; i += 1) notices.push(fault);
    },
    take(operation) {
      const fault = queueOf(operation).shift() ?? null;
      if (fault?.kind !== 'refuse-connection') {
        counts.set(operation, (counts.get(operation) ?? 0) + 1);
      }
      return fault;
    },
    takeNotice() {
      return notices.shift() ?? null;
    },
    requestCount(operation) {
      queueOf(operation);
      return counts.get(operation) ?? 0;
    },
    pending() {
      return [
        ...OPERATIONS.flatMap((operation) =>
          queueOf(operation).map((fault) => ({ operation, fault })),
        ),
        ...notices.map((fault) => ({ operation: 'notice' as const, fault })),
      ];
    },
    clear() {
      for (const queue of queues.values()) queue.length = 0;
      notices.length = 0;
    },
  };
}
