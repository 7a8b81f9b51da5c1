// Gate D 1: the Order Adapter contract is fixed. order-contract's committed API report
// (packages/order-contract/etc/order-contract.api.md) must match a fresh build of its src/; the
// same check is shown failing on a copy of the report with one method removed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiReportCheck, checkApiReports } from '../src/api-report.js';
import { recordEvidence } from '../src/evidence.js';
import { packageDir } from '../src/paths.js';

const committed = join(packageDir('order-contract'), 'etc', 'order-contract.api.md');
const tamperedFolder = mkdtempSync(join(tmpdir(), 'qts-e2e-api-'));
afterAll(() => rmSync(tamperedFolder, { recursive: true, force: true }));

// One build, two api-extractor runs: against the committed report and a tampered copy.
let original = '';
let tampered = '';
if (existsSync(committed)) {
  original = readFileSync(committed, 'utf8');
  // a reviewer-visible contract change: one method dropped from the adapter interface
  tampered = original.replace(/^\s*getOrders\(.*$/m, '');
  writeFileSync(join(tamperedFolder, 'order-contract.api.md'), tampered);
}
const [check, tamperedCheck] = checkApiReports('order-contract', [
  join(packageDir('order-contract'), 'etc'),
  tamperedFolder,
]) as [ApiReportCheck, ApiReportCheck];

describe('Gate D 1: the Order Adapter contract is fixed', () => {
  it('Gate D 1: order-contract API report is committed and matches the build (api-extractor check mode)', () => {
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

  it('Gate D 1: the same check FAILS when the committed report differs from the build (tampered copy)', () => {
    expect(tampered, 'the committed report has a getOrders line to remove').not.toBe(original);
    expect(tamperedCheck.matches).toBe(false);
    expect(
      tamperedCheck.extractorExitCode,
      'api-extractor check mode reports the API change',
    ).not.toBe(0);
    expect(
      tamperedCheck.diff.some((line) => line.startsWith('+') && line.includes('getOrders(')),
    ).toBe(true);
    recordEvidence(
      1,
      'a tampered copy (getOrders removed) is caught: api-extractor exits non-zero, diff shows +getOrders',
    );
  });
});
