// Gate D 4: the Phase 2 contract is unchanged. auth-phase2's committed API report must match a
// fresh build AND the frozen copy pinned here by sha256 (src/pins.ts says how to update it).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApiReport, sha256File } from '../src/api-report.js';
import { recordEvidence } from '../src/evidence.js';
import { AUTH_PHASE2_API_REPORT_SHA256 } from '../src/pins.js';

describe('Gate D 4: the Phase 2 contract is unchanged', () => {
  const check = checkApiReport('auth-phase2');

  it('Gate D 4: auth-phase2 API report is committed and matches the build (api-extractor check mode)', () => {
    expect(
      check.committedExists,
      `no committed API report at ${check.committedFile} (run api:update in auth-phase2 and commit it)`,
    ).toBe(true);
    expect(
      check.freshReport,
      `api-extractor produced no report: ${check.log.slice(-1500)}`,
    ).not.toBeNull();
    expect(check.diff, 'lines that differ between the committed report and the build').toEqual([]);
    expect(check.matches, 'committed report is byte-identical to the build').toBe(true);
    expect(check.extractorExitCode, `api-extractor check mode: ${check.log.slice(-1500)}`).toBe(0);
    recordEvidence(4, `etc/auth-phase2.api.md = fresh api-extractor report of the build`);
  });

  it('Gate D 4: auth-phase2 API report matches the frozen copy pinned in packages/e2e/src/pins.ts (sha256)', () => {
    expect(check.committedSha256, 'committed report exists').not.toBeNull();
    expect(
      AUTH_PHASE2_API_REPORT_SHA256,
      `the Phase 2 report is not pinned yet: set AUTH_PHASE2_API_REPORT_SHA256 in packages/e2e/src/pins.ts to ${check.committedSha256}`,
    ).toMatch(/^[0-9a-f]{64}$/);
    expect(
      check.committedSha256,
      `sha256 of packages/auth-phase2/etc/auth-phase2.api.md differs from the pin in packages/e2e/src/pins.ts: the frozen Phase 2 contract changed (update the pin only on purpose; the report's sha256 is ${check.committedSha256})`,
    ).toBe(AUTH_PHASE2_API_REPORT_SHA256);
    expect(check.freshSha256, 'the build has the pinned contract too').toBe(
      AUTH_PHASE2_API_REPORT_SHA256,
    );
    // The frozen names of the agreed Phase 2 API are all in the report.
    for (const name of [
      'resolveKisEndpoints',
      'kisTrId',
      'createKisCredentials',
      'createFileTokenCache',
      'createKisAuth',
      'createKisTransport',
      'redactSecrets',
    ]) {
      expect(check.freshReport ?? '', `the Phase 2 report declares ${name}`).toContain(name);
    }
    recordEvidence(
      4,
      `auth-phase2.api.md sha256 ${AUTH_PHASE2_API_REPORT_SHA256.slice(0, 16)}... equals the pin`,
    );
  });

  it('Gate D 4: the pin check FAILS on a report with any change (a one-line edit of a copy)', () => {
    expect(check.committedExists).toBe(true);
    const folder = mkdtempSync(join(tmpdir(), 'qts-e2e-pin-'));
    try {
      const copy = join(folder, 'auth-phase2.api.md');
      const text = readFileSync(check.committedFile, 'utf8');
      writeFileSync(copy, text.replace('createKisAuth', 'createKisAuthV2'));
      expect(sha256File(copy)).not.toBe(AUTH_PHASE2_API_REPORT_SHA256);
      writeFileSync(copy, text);
      expect(sha256File(copy), 'an unchanged copy matches').toBe(AUTH_PHASE2_API_REPORT_SHA256);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
