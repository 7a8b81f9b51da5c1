#!/usr/bin/env node
// Prints the Gate D report, one line per condition, and writes it as markdown to
// packages/e2e/gate-d-report.md. Every verdict comes from vitest's JSON results
// (.reports/vitest.json): a gate PASSes only when at least one of its tests ran and every test
// of the gate passed. A test belongs to gate N when its title starts with "Gate D N:" or when it
// lives in a file named gate-d-N-*.test.ts (so a file that fails to load fails its gate).
// Evidence lines written by the tests (.reports/gate-d-evidence.jsonl) are shown beside PASS.
// Exit code: 0 when all five gates pass, 1 otherwise.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsFile = join(pkgDir, '.reports', 'vitest.json');
const evidenceFile = join(pkgDir, '.reports', 'gate-d-evidence.jsonl');
const markdownFile = join(pkgDir, 'gate-d-report.md');

const GATES = {
  1: 'The Order Adapter contract is fixed (order-contract API report matches the build)',
  2: 'KIS order and inquiry work (broker-kis on the KIS sandbox, real and paper)',
  3: 'Intent -> Order -> Response verified end to end (execution-route)',
  4: 'The Phase 2 contract (auth-phase2) is unchanged',
  5: 'No automated trading loop exists',
};

const oneLine = (text, max = 220) => {
  const clean =
    String(text)
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')[0] ?? '';
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
};

function loadResults() {
  if (!existsSync(resultsFile)) return { error: `no vitest results at ${resultsFile}` };
  try {
    return {
      results: JSON.parse(readFileSync(resultsFile, 'utf8')),
      mtime: statSync(resultsFile).mtime,
    };
  } catch (error) {
    return { error: `unreadable vitest results: ${error}` };
  }
}

function loadEvidence() {
  if (!existsSync(evidenceFile)) return [];
  const run = process.env.QTS_E2E_RUN_ID ?? null;
  const seen = new Set();
  return readFileSync(evidenceFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    })
    .filter((e) => run === null || e.run === run)
    .filter((e) => {
      const key = `${e.gate} ${e.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function gateOfTitle(title) {
  const m = /^Gate D ([1-5]):/.exec(title);
  return m ? Number(m[1]) : null;
}

function gateOfFile(file) {
  const m = /^gate-d-([1-5])-/.exec(basename(file));
  return m ? Number(m[1]) : null;
}

export function buildReport(results, evidence) {
  const gates = {};
  for (const n of Object.keys(GATES)) {
    gates[n] = { passed: [], failed: [], skipped: [], suiteErrors: [] };
  }
  for (const file of results.testResults ?? []) {
    const fileGate = gateOfFile(file.name ?? '');
    const assertions = file.assertionResults ?? [];
    if (file.status === 'failed' && fileGate !== null) {
      const anyFailedTest = assertions.some((a) => a.status === 'failed');
      if (!anyFailedTest) {
        gates[fileGate].suiteErrors.push(
          `${basename(file.name)} failed to run: ${oneLine(file.message || 'no message')}`,
        );
      }
    }
    for (const a of assertions) {
      const gate = gateOfTitle(a.title ?? '') ?? fileGate;
      if (gate === null) continue;
      const entry = {
        title: a.title,
        message: oneLine((a.failureMessages ?? []).join('\n'), 500),
      };
      if (a.status === 'passed') gates[gate].passed.push(entry);
      else if (a.status === 'failed') gates[gate].failed.push(entry);
      else gates[gate].skipped.push(entry);
    }
  }
  const lines = [];
  const details = [];
  for (const [n, name] of Object.entries(GATES)) {
    const g = gates[n];
    const ev = evidence.filter((e) => String(e.gate) === n).map((e) => e.text);
    let line;
    if (g.suiteErrors.length > 0) {
      line = `Gate D ${n}: FAIL ${g.suiteErrors[0]}`;
    } else if (g.failed.length > 0) {
      const f = g.failed[0];
      line = `Gate D ${n}: FAIL ${g.failed.length} of ${g.failed.length + g.passed.length + g.skipped.length} tests failed; first: "${f.title.replace(/^Gate D \d: /, '')}": ${f.message}`;
    } else if (g.skipped.length > 0) {
      line = `Gate D ${n}: FAIL ${g.skipped.length} tests did not run (skipped/todo), e.g. "${g.skipped[0].title}"`;
    } else if (g.passed.length === 0) {
      line = `Gate D ${n}: FAIL no test for this condition ran`;
    } else {
      const items = ev.length > 0 ? ev : g.passed.map((p) => p.title.replace(/^Gate D \d: /, ''));
      let shown = items.slice(0, 2).join('; ');
      if (shown.length > 300) shown = `${shown.slice(0, 297)}...`;
      if (items.length > 2) shown += ` (+${items.length - 2} more in gate-d-report.md)`;
      line = `Gate D ${n}: PASS ${g.passed.length} tests: ${shown}`;
    }
    lines.push(line);
    details.push({ n, name, g, ev, line });
  }
  return { lines, details };
}

function markdown(report, results, when) {
  const out = [
    '# Gate D report (Phase 3)',
    '',
    `Generated by \`pnpm e2e\` from vitest results of ${when}. ${results.numPassedTests ?? 0} passed, ${results.numFailedTests ?? 0} failed, ${(results.numPendingTests ?? 0) + (results.numTodoTests ?? 0)} skipped.`,
    '',
    '```',
    ...report.lines,
    '```',
    '',
  ];
  for (const d of report.details) {
    out.push(`## Gate D ${d.n}: ${d.name}`, '');
    out.push(d.line.includes(': PASS ') ? '**PASS**' : '**FAIL**', '');
    if (d.ev.length > 0) {
      out.push('Evidence:', '', ...d.ev.map((e) => `- ${e}`), '');
    }
    out.push('Tests:', '');
    for (const t of d.g.suiteErrors) out.push(`- ✗ ${t}`);
    for (const t of d.g.failed) out.push(`- ✗ ${t.title} — ${t.message}`);
    for (const t of d.g.skipped) out.push(`- ○ ${t.title} (did not run)`);
    for (const t of d.g.passed) out.push(`- ✓ ${t.title}`);
    out.push('');
  }
  return out.join('\n');
}

const loaded = loadResults();
let lines;
if (loaded.error) {
  lines = Object.keys(GATES).map((n) => `Gate D ${n}: FAIL ${loaded.error}`);
  writeFileSync(markdownFile, `# Gate D report (Phase 3)\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n`);
} else {
  const report = buildReport(loaded.results, loadEvidence());
  lines = report.lines;
  writeFileSync(markdownFile, markdown(report, loaded.results, loaded.mtime.toISOString()));
}
console.log('');
console.log('Gate D report (packages/e2e/gate-d-report.md)');
for (const line of lines) console.log(line);
process.exit(lines.every((l) => / PASS /.test(l)) ? 0 : 1);
