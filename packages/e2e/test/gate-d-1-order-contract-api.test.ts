// Gate D 1: the Order Adapter contract is fixed. order-contract's committed API report
// (packages/order-contract/etc/order-contract.api.md) must match a fresh build of its src/.
import { describe, expect, it } from 'vitest';
import { checkApiReport } from '../src/api-report.js';
import { recordEvidence } from '../src/evidence.js';

describe('Gate D 1: the Order Adapter contract is fixed', () => {
  it('Gate D 1: order-contract API report is committed and matches the build (api-extractor check mode)', () => {
    const check = checkApiReport('order-contract');
    expect(
      check.committedExists,
      `no committed API report at ${check.committedFile} (run api:update in order-contract and commit it)`,
    ).toBe(true);
    expect(
      check.freshReport,
      `api-extractor produced no report: ${check.log.slice(-1500)}`,
    ).not.toBeNull();
    expect(check.diff, 'lines that differ between the committed report and the build').toEqual([]);
    expect(check.matches, 'committed report is byte-identical to the build').toBe(true);
    expect(check.extractorExitCode, `api-extractor check mode: ${check.log.slice(-1500)}`).toBe(0);
    // The contract really is the adapter contract: its report names the adapter and its methods.
    const report = check.freshReport ?? '';
    for (const name of [
      'interface OrderAdapter',
      'placeOrder(',
      'cancelOrder(',
      'modifyOrder(',
      'getOrders(',
      'subscribe(',
      "specificationVersion: 'v1'",
    ]) {
      expect(report, `the API report declares ${name}`).toContain(name);
    }
    recordEvidence(
      1,
      `etc/order-contract.api.md (sha256 ${check.committedSha256?.slice(0, 12)}) = fresh api-extractor report of the build, OrderAdapter v1 with place/cancel/modify/getOrders/subscribe`,
    );
  });
});
