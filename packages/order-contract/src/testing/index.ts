// @qts/order-contract/testing: the Order Adapter conformance kit (needs vitest).
import { describe, it } from 'vitest';
import { type ConformanceHarness, ORDER_ADAPTER_CONFORMANCE_CHECKS } from './conformance.js';

export {
  type BrokerPlaceScript,
  CONFORMANCE_ORDER_QUANTITY,
  CONFORMANCE_REJECTION,
  type ConformanceCheck,
  type ConformanceHarness,
  checkAbortBeforeSendIsNotPlaced,
  checkBrokerRejection,
  checkCancelAfterPartialFill,
  checkCancelOrder,
  checkDeclaredOrderOptions,
  checkFillsReachSubscriberOnce,
  checkInvalidRequestsAreNotSent,
  checkLimitOrderAccepted,
  checkModifyQuantity,
  checkModifyQuantityAndPrice,
  checkOrderAppearsInInquiry,
  checkRefusedConnectionIsNotPlaced,
  checkRevisionOfFilledOrder,
  checkTimeoutAfterSendIsUnknown,
  conformanceOrderRequest,
  ORDER_ADAPTER_CONFORMANCE_CHECKS,
  orderRefOf,
} from './conformance.js';
export { type WaitForOptions, waitFor } from './wait-for.js';

/** Options of `describeOrderAdapterConformance`. */
export interface ConformanceSuiteOptions {
  /** Ids of cases to leave out (e.g. `['cancel']`), each with a reason in your test file. */
  readonly skip?: readonly string[];
}

/**
 * Declares the Order Adapter conformance suite for one adapter: one vitest test per case, each
 * with a fresh harness that is closed afterwards.
 *
 * @param name - The adapter's name in the report.
 * @param createHarness - Creates the adapter with a scripted broker behind it.
 * @param options - Cases to skip.
 */
export function describeOrderAdapterConformance(
  name: string,
  createHarness: () => Promise<ConformanceHarness>,
  options: ConformanceSuiteOptions = {},
): void {
  describe(`OrderAdapter conformance: ${name}`, () => {
    for (const check of ORDER_ADAPTER_CONFORMANCE_CHECKS) {
      const declare = options.skip?.includes(check.id) === true ? it.skip : it;
      declare(`${check.title} [${check.id}]`, async (context) => {
        const harness = await createHarness();
        try {
          if (check.needsNotices && !harness.adapter.capabilities.notices) {
            context.skip('the adapter does not deliver notices (capabilities.notices is false)');
            return;
          }
          if (check.needsModify === true && !harness.adapter.capabilities.modify) {
            context.skip('the adapter does not modify orders (capabilities.modify is false)');
            return;
          }
          await check.run(harness);
        } finally {
          await harness.close();
        }
      });
    }
  });
}
