#!/usr/bin/env node
// Adds up every vitest JSON report (.reports/vitest*.json under packages/, apps/ and tooling/) into the
// one plain line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
// Exits 1 when any test failed, when a report is unreadable, or when no test ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();
let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;
let broken = 0;
for (const group of ['packages', 'apps', 'tooling']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const reportDir = join(dir, name, '.reports');
    if (!existsSync(reportDir)) continue;
    for (const file of readdirSync(reportDir)) {
      if (!/^vitest.*\.json$/.test(file)) continue;
      try {
        const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8'));
        passed += report.numPassedTests ?? 0;
        const failedTests = report.numFailedTests ?? 0;
        // A file that failed to load has no failed test but makes the run unsuccessful: count it.
        failed += failedTests > 0 || report.success !== false ? failedTests : 1;
        skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
        reports += 1;
      } catch (error) {
        broken += 1;
        console.error(`unreadable test report ${group}/${name}/.reports/${file}: ${error}`);
      }
    }
  }
}
failed += broken;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || reports === 0 || passed === 0 ? 1 : 0);
