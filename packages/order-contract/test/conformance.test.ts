import { describe, expect, it } from 'vitest';
import {
  type ConformanceHarness,
  checkAbortBeforeSendIsNotPlaced,
  checkBrokerRejection,
  checkCancelAfterPartialFill,
  checkCancelOrder,
  checkDeclaredOrderOptions,
  checkFillsReachSubscriberOnce,
  checkInvalidRequestsAreNotSent,
  checkModifyQuantity,
  checkModifyQuantityAndPrice,
  checkRefusedConnectionIsNotPlaced,
  checkRevisionOfFilledOrder,
  checkTimeoutAfterSendIsUnknown,
  describeOrderAdapterConformance,
  waitFor,
} from '../src/testing/index.js';
import { createFakeHarness, type FakeFaults } from './fake-adapter.js';

// The kit passes a correct adapter...
describeOrderAdapterConformance('fake (correct)', () => createFakeHarness());

// ...and fails each deliberately broken one.
async function runAgainst(
  faults: FakeFaults,
  check: (harness: ConformanceHarness) => Promise<void>,
): Promise<void> {
  const harness = { ...(await createFakeHarness(faults)), waitTimeoutMs: 300 };
  try {
    await check(harness);
  } finally {
    await harness.close();
  }
}

describe('the conformance kit detects broken adapters', () => {
  it('an adapter that skips validation (invalid orders reach the broker)', async () => {
    await expect(
      runAgainst({ skipValidation: true }, checkInvalidRequestsAreNotSent),
    ).rejects.toThrow(/to fail, but it succeeded/);
  });

  it('an adapter that sends a division or venue it does not declare', async () => {
    await expect(
      runAgainst({ ignoreOrderOptions: true }, checkDeclaredOrderOptions),
    ).rejects.toThrow(/to fail, but it succeeded/);
  });

  it('an adapter whose inquiry loses the division and venue', async () => {
    await expect(
      runAgainst({ dropDivisionInInquiry: true }, checkDeclaredOrderOptions),
    ).rejects.toThrow(/division and venue of limit at NXT/);
  });

  it('an adapter that resends after a timeout', async () => {
    await expect(
      runAgainst({ resendAfterTimeout: true }, checkTimeoutAfterSendIsUnknown),
    ).rejects.toThrow(/to fail, but it succeeded/);
  });

  it('an adapter that counts a replayed notice as a new fill', async () => {
    await expect(
      runAgainst({ countDuplicateNotices: true }, checkFillsReachSubscriberOnce),
    ).rejects.toThrow(/expected 7 to be 6/);
  });

  it('an adapter that reports per-fill instead of cumulative quantities', async () => {
    await expect(
      runAgainst({ perFillQuantities: true }, checkFillsReachSubscriberOnce),
    ).rejects.toThrow(/expected 2 to be 5/);
  });

  it("an adapter that loses the broker's code", async () => {
    await expect(runAgainst({ dropBrokerCode: true }, checkBrokerRejection)).rejects.toThrow(
      /broker code, verbatim/,
    );
  });

  it('an adapter that calls a refused connection unknown', async () => {
    await expect(
      runAgainst({ refusedAsUnknown: true }, checkRefusedConnectionIsNotPlaced),
    ).rejects.toThrow(/error class/);
  });

  it('an adapter that ignores an aborted signal', async () => {
    await expect(
      runAgainst({ ignoreAbort: true }, checkAbortBeforeSendIsNotPlaced),
    ).rejects.toThrow(/to fail, but it succeeded/);
  });

  it('an adapter whose modify moves only the given quantity and leaves the rest at the old price', async () => {
    await expect(
      runAgainst({ modifyKeepsRest: true }, checkModifyQuantityAndPrice),
    ).rejects.toThrow(/with 4 shares open, all at 69900.*Last seen: \[order \d+: 6 open @ 70000/);
    await expect(runAgainst({ modifyKeepsRest: true }, checkModifyQuantity)).rejects.toThrow(
      /with 4 shares open at 70000/,
    );
  });

  it('an adapter whose inquiry forgets the fills of a canceled order', async () => {
    await expect(
      runAgainst({ cancelForgetsFills: true }, checkCancelAfterPartialFill),
    ).rejects.toThrow(/after a cancel of the 7 open of 10/);
  });

  it('an adapter that reports a revision of a filled order as a plain rejection', async () => {
    await expect(runAgainst({ genericNotOpen: true }, checkRevisionOfFilledOrder)).rejects.toThrow(
      /error code of the cancel of a filled order/,
    );
  });

  it('an adapter whose inquiry never shows the cancel', async () => {
    await expect(runAgainst({ cancelNotReflected: true }, checkCancelOrder)).rejects.toThrow(
      /Timed out after 300 ms waiting for order \d+ shown canceled/,
    );
  });
});

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let calls = 0;
    await expect(
      waitFor(() => (++calls >= 3 ? calls : undefined), { description: 'three calls' }),
    ).resolves.toBe(3);
  });

  it('fails at the deadline with the description', async () => {
    await expect(
      waitFor(() => undefined, { description: 'nothing', timeoutMs: 20, intervalMs: 5 }),
    ).rejects.toThrow('Timed out after 20 ms waiting for nothing.');
  });
});
