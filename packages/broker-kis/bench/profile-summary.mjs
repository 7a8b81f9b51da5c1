// Summarises a .cpuprofile: self time by module group (package or source folder) and the top
// functions. Usage: node bench/profile-summary.mjs <file>.cpuprofile [topN]
import { readFileSync } from 'node:fs';

const [file, topText] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: profile-summary.mjs <file>.cpuprofile [topN]');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topText ?? 30);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
function group(url) {
  if (url === '') return '(native/idle)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:internal/deps/')) return url.split('/').slice(0, 3).join('/');
  if (url.startsWith('node:')) return url.replace(/\.js$/, '');
  const src = /packages\/([^/]+)\/(src|bench)\/(?:([^/]+)\/)?/.exec(url);
  if (src) return `@qts/${src[1]}/${src[2]}${src[3] && !src[3].includes('.') ? `/${src[3]}` : ''}`;
  return url.replace(/^.*\//, '');
}
const groups = new Map();
const functions = new Map();
for (const [id, us] of self) {
  const node = byId.get(id);
  const frame = node.callFrame;
  const g = frame.url === '' ? `(${frame.functionName || 'program'})` : group(frame.url);
  groups.set(g, (groups.get(g) ?? 0) + us);
  const key = `${frame.functionName || '(anonymous)'} ${group(frame.url)}:${frame.lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
console.log('self time by group:');
for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`  ${pct(us)}  ${g}`);
console.log('top functions (self):');
for (const [f, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(us)}  ${f}`);
