// Evidence lines the Gate D report prints beside PASS. Tests append what they showed; the report
// script (scripts/gate-d-report.mjs) reads them together with vitest's JSON results. The verdict
// (PASS / FAIL) comes only from the test results, never from this file.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The five Gate D conditions. */
export type GateNumber = 1 | 2 | 3 | 4 | 5;

/** Where evidence lines go: packages/e2e/.reports/gate-d-evidence.jsonl. */
export const EVIDENCE_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '.reports',
  'gate-d-evidence.jsonl',
);

/** Records one short line of evidence for a gate (shown in the report when the gate passes). */
export function recordEvidence(gate: GateNumber, text: string): void {
  mkdirSync(dirname(EVIDENCE_FILE), { recursive: true });
  // QTS_E2E_RUN_ID (set by scripts/e2e.mjs) keeps concurrent runs in one checkout apart.
  const run = process.env.QTS_E2E_RUN_ID ?? null;
  appendFileSync(
    EVIDENCE_FILE,
    `${JSON.stringify({ gate, text, run, at: new Date().toISOString() })}\n`,
  );
}
