// Gate D 5 (static half): finds timers, intervals, schedulers and loops that reach order
// placement, cancel or modify. TypeScript's compiler API is not available (typescript@7 has
// none), so this is a small tokenizer plus brace matching. It errs on the side of flagging.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Names whose call (or reference, as a callback) counts as placing, canceling or modifying. */
export const ORDER_CALL_NAMES = [
  'placeOrder',
  'submit',
  'cancel',
  'modify',
  'cancelOrder',
  'modifyOrder',
] as const;

/** What kind of repeating or deferred construct reaches an order call. */
export type LoopKind =
  | 'timer-callback'
  | 'scheduler-callback'
  | 'infinite-loop'
  | 'flag-loop'
  | 'timer-iterator-loop'
  | 'recursive-function';

/** One construct that reaches an order call. */
export interface TradingLoopFinding {
  /** Path relative to the scanned root, with forward slashes. */
  readonly file: string;
  /** 1-based line of the construct. */
  readonly line: number;
  readonly kind: LoopKind;
  /** The construct, e.g. `setInterval`, `while (true)`, `for (;;)`, `function tick`. */
  readonly construct: string;
  /** How it reaches an order call: the order name, or `via name -> ... -> order name`. */
  readonly reaches: string;
}

/** What was scanned and what was found. */
export interface TradingLoopScan {
  /** Scanned files, relative to the root. */
  readonly files: readonly string[];
  /** Timer / scheduler calls and infinite or flag-controlled loops examined (all, flagged or not). */
  readonly constructs: number;
  /** Named functions and methods whose bodies were followed. */
  readonly functions: number;
  readonly findings: readonly TradingLoopFinding[];
}

const SOURCE_EXT = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;
const EXCLUDED_FILE = /\.(?:test|spec|bench)\.[cm]?[jt]sx?$|\.d\.[cm]?ts$/;
const EXCLUDED_DIR = new Set([
  'node_modules',
  'dist',
  '__fixtures__',
  '__tests__',
  'test',
  'bench',
]);

/** Lists the source files the gate covers: `packages/<name>/src` and `apps/<name>/src`. */
export function listGateSourceFiles(root: string): string[] {
  const files: string[] = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!isDir(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      const src = join(groupDir, name, 'src');
      if (isDir(src)) walk(src, files);
    }
  }
  return files;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!EXCLUDED_DIR.has(entry.name)) walk(path, out);
    } else if (SOURCE_EXT.test(entry.name) && !EXCLUDED_FILE.test(entry.name)) {
      out.push(path);
    }
  }
}

/**
 * Scans every `packages/*\/src` and `apps/*\/src` under `root` (tests, benchmarks, fixtures and
 * declaration files excluded) for a timer, interval, scheduler, infinite or flag-controlled loop,
 * or self-recursive function that reaches placeOrder / submit / cancel / modify / cancelOrder /
 * modifyOrder, directly or through functions and methods defined anywhere in the scanned code
 * (matched by name, so a name shared by two functions counts as both).
 */
export function scanForTradingLoops(root: string): TradingLoopScan {
  const paths = listGateSourceFiles(root);
  const files = paths.map((path) => ({
    rel: relative(root, path).split(sep).join('/'),
    code: blankCommentsAndStrings(readFileSync(path, 'utf8')),
  }));
  const bodies = new Map<string, string[]>();
  const defs: { file: string; name: string; start: number; body: string }[] = [];
  for (const file of files) {
    for (const def of findFunctionDefinitions(file.code)) {
      const list = bodies.get(def.name) ?? [];
      list.push(def.body);
      bodies.set(def.name, list);
      defs.push({ file: file.rel, ...def });
    }
  }
  const reach = computeReach(bodies);
  const findings: TradingLoopFinding[] = [];
  let constructs = 0;
  for (const file of files) {
    for (const region of findRegions(file.code)) {
      constructs++;
      const how = regionReaches(region.text, reach, region.callbackArgs);
      if (how !== null) {
        findings.push({
          file: file.rel,
          line: lineOf(file.code, region.start),
          kind: region.kind,
          construct: region.construct,
          reaches: how,
        });
      }
    }
  }
  for (const def of defs) {
    if (ORDER_NAME_SET.has(def.name)) continue;
    if (!callsItself(def.body, def.name)) continue;
    const how = reach.get(def.name);
    if (how === undefined) continue;
    findings.push({
      file: def.file,
      line: lineOf(files.find((f) => f.rel === def.file)?.code ?? '', def.start),
      kind: 'recursive-function',
      construct: `function ${def.name}`,
      reaches: how,
    });
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { files: files.map((f) => f.rel).sort(), constructs, functions: defs.length, findings };
}

const ORDER_NAME_SET: ReadonlySet<string> = new Set(ORDER_CALL_NAMES);
const ORDER_CALL = new RegExp(
  `\\b(${ORDER_CALL_NAMES.join('|')})\\s*(?:\\(|\\.\\s*(?:call|apply|bind)\\b)`,
);
const ORDER_REF = /\b(placeOrder|submit|cancelOrder|modifyOrder)\b/;
const KEYWORDS = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'function',
  'return',
  'typeof',
  'new',
  'await',
  'yield',
  'do',
  'else',
  'try',
  'with',
  'constructor',
  'super',
  'import',
  'export',
]);

function lineOf(code: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < code.length; i++) if (code.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Replaces comments and the contents of string, template and regular-expression literals with
 * spaces (newlines kept, so offsets and lines stay), keeping `${...}` expressions of templates.
 */
export function blankCommentsAndStrings(source: string): string {
  const out = source.split('');
  const n = source.length;
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  // Template nesting: each entry is the brace depth at which a `${` expression began.
  const templateStack: number[] = [];
  let depth = 0;
  let lastSignificant = '';
  const scanTemplate = (start: number): number => {
    // start is just after the opening backtick or closing `}` of an expression
    let k = start;
    while (k < n) {
      const c = source[k];
      if (c === '\\') {
        k += 2;
        continue;
      }
      if (c === '`') {
        blank(start, k);
        return k + 1;
      }
      if (c === '$' && source[k + 1] === '{') {
        blank(start, k);
        templateStack.push(depth);
        depth++;
        return k + 2;
      }
      k++;
    }
    blank(start, n);
    return n;
  };
  while (i < n) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < n && source[k] !== c && source[k] !== '\n') k += source[k] === '\\' ? 2 : 1;
      blank(i + 1, k);
      i = k + 1;
      lastSignificant = 'x';
      continue;
    }
    if (c === '`') {
      i = scanTemplate(i + 1);
      lastSignificant = 'x';
      continue;
    }
    if (c === '/' && regexAllowedAfter(lastSignificant, source, i)) {
      let k = i + 1;
      let inClass = false;
      while (k < n && source[k] !== '\n') {
        const d = source[k];
        if (d === '\\') {
          k += 2;
          continue;
        }
        if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        k++;
      }
      blank(i + 1, k);
      i = k + 1;
      lastSignificant = 'x';
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === depth) {
        templateStack.pop();
        i = scanTemplate(i + 1);
        lastSignificant = 'x';
        continue;
      }
    }
    if (!/\s/.test(c)) lastSignificant = c;
    i++;
  }
  return out.join('');
}

function regexAllowedAfter(last: string, source: string, at: number): boolean {
  if (last === '') return true;
  if ('(,=:[!&|?{};+-*%<>~^'.includes(last)) return true;
  if (/[A-Za-z_$]/.test(last)) {
    // a keyword such as return / typeof before the slash
    let k = at - 1;
    while (k >= 0 && /\s/.test(source[k] as string)) k--;
    let s = k;
    while (s >= 0 && /[A-Za-z_$]/.test(source[s] as string)) s--;
    const word = source.slice(s + 1, k + 1);
    return [
      'return',
      'typeof',
      'case',
      'do',
      'else',
      'in',
      'of',
      'void',
      'yield',
      'await',
    ].includes(word);
  }
  return false;
}

/** Index of the bracket matching the one at `open`, or -1. Works on blanked code. */
export function matchBracket(code: string, open: number): number {
  const o = code[open];
  const close = o === '(' ? ')' : o === '{' ? '}' : o === '[' ? ']' : o === '<' ? '>' : '';
  if (close === '') return -1;
  let d = 0;
  for (let k = open; k < code.length; k++) {
    const c = code[k];
    if (c === o) d++;
    else if (c === close) {
      d--;
      if (d === 0) return k;
    }
  }
  return -1;
}

function skipSpace(code: string, k: number): number {
  while (k < code.length && /\s/.test(code[k] as string)) k++;
  return k;
}

interface FunctionDefinition {
  readonly name: string;
  readonly start: number;
  readonly body: string;
}

/**
 * Finds named functions, methods and function-valued bindings: `function name(...) {}`,
 * `name(...) {}` (methods), `name = (...) => ...`, `name: function (...) {}` and the like.
 */
export function findFunctionDefinitions(code: string): FunctionDefinition[] {
  const defs: FunctionDefinition[] = [];
  // function declarations / expressions with a name, and methods: NAME (<generics>)? ( params ) (: type)? {
  const head = /([A-Za-z_$][\w$]*)\s*(<[^()]*?>)?\s*\(/g;
  for (let m = head.exec(code); m !== null; m = head.exec(code)) {
    const name = m[1] as string;
    if (KEYWORDS.has(name)) continue;
    const open = m.index + m[0].length - 1;
    const close = matchBracket(code, open);
    if (close === -1) continue;
    const bodyStart = findBodyAfterParams(code, close);
    if (bodyStart === -1) continue;
    const before = code.slice(Math.max(0, m.index - 30), m.index);
    // `foo(x) {` is only a definition in a class / object or after `function`; a call can't be
    // followed by a block, except after keywords handled above.
    if (/\.\s*$/.test(before)) continue;
    const end = matchBracket(code, bodyStart);
    if (end === -1) continue;
    defs.push({ name, start: m.index, body: code.slice(bodyStart, end + 1) });
  }
  // NAME = (params) => body | NAME = async x => body | NAME = function (...) {} and the same as
  // object properties: NAME: (params) => body | NAME: function (...) {}
  const bind =
    /([A-Za-z_$][\w$]*)\s*(?:(?::[^=;]*?)?=(?![=>])|:)\s*(?:async\s+)?(?:function\b[^(]*)?(\(|[A-Za-z_$][\w$]*\s*=>)/g;
  for (let m = bind.exec(code); m !== null; m = bind.exec(code)) {
    const name = m[1] as string;
    if (KEYWORDS.has(name)) continue;
    let k = m.index + m[0].length - 1;
    let arrowAt: number;
    if (code[k] === '(') {
      const close = matchBracket(code, k);
      if (close === -1) continue;
      const after = skipReturnType(code, close + 1);
      const a = skipSpace(code, after);
      if (code.startsWith('=>', a)) arrowAt = a + 2;
      else if (code[a] === '{' && /function\b/.test(m[0])) arrowAt = a;
      else continue;
    } else {
      k = code.indexOf('=>', m.index + m[1]!.length);
      if (k === -1) continue;
      arrowAt = k + 2;
    }
    const bodyStart = skipSpace(code, arrowAt);
    const body = expressionOrBlock(code, bodyStart);
    defs.push({ name, start: m.index, body });
  }
  return defs;
}

function skipReturnType(code: string, k: number): number {
  let a = skipSpace(code, k);
  if (code[a] !== ':') return k;
  a++;
  // skip a type: balanced brackets; stops at `{` or `=>` at depth 0 after some type text
  let seenType = false;
  while (a < code.length) {
    a = skipSpace(code, a);
    const c = code[a];
    if (c === '{') {
      if (!seenType) {
        const end = matchBracket(code, a);
        if (end === -1) return a;
        a = end + 1;
        seenType = true;
        continue;
      }
      return a;
    }
    if (code.startsWith('=>', a)) return a;
    if (c === '(' || c === '[' || c === '<') {
      const end = matchBracket(code, a);
      if (end === -1) return a;
      a = end + 1;
      seenType = true;
      continue;
    }
    if (c === ';' || c === ',' || c === ')' || c === undefined) return a;
    a++;
    seenType = true;
  }
  return a;
}

function findBodyAfterParams(code: string, close: number): number {
  const after = skipSpace(code, skipReturnType(code, close + 1));
  return code[after] === '{' ? after : -1;
}

function expressionOrBlock(code: string, start: number): string {
  if (code[start] === '{') {
    const end = matchBracket(code, start);
    return end === -1 ? code.slice(start) : code.slice(start, end + 1);
  }
  let d = 0;
  for (let k = start; k < code.length; k++) {
    const c = code[k];
    if (c === '(' || c === '[' || c === '{') d++;
    else if (c === ')' || c === ']' || c === '}') {
      if (d === 0) return code.slice(start, k);
      d--;
    } else if ((c === ';' || c === ',') && d === 0) return code.slice(start, k);
  }
  return code.slice(start);
}

/**
 * A self call: `name(...)` or `this.name(...)` / `this.#name(...)`, not `other.name(...)` (a
 * delegation to another object's method of the same name).
 */
function callsItself(body: string, name: string): boolean {
  const n = escapeRe(name);
  return new RegExp(`(?<![\\w$.#])${n}\\s*\\(|\\bthis\\s*\\.\\s*#?${n}\\s*\\(`).test(body);
}

function escapeRe(s: string): string {
  return s.replace(/[$]/g, '\\$');
}

/** name -> how it reaches an order call (`submit`, or `a -> b -> submit`). */
function computeReach(bodies: ReadonlyMap<string, string[]>): Map<string, string> {
  const reach = new Map<string, string>();
  for (const name of ORDER_CALL_NAMES) reach.set(name, name);
  let changed = true;
  while (changed) {
    changed = false;
    for (const [name, list] of bodies) {
      if (reach.has(name)) continue;
      for (const body of list) {
        const how = bodyReaches(body, reach);
        if (how !== null) {
          reach.set(name, `${name} -> ${how}`);
          changed = true;
          break;
        }
      }
    }
  }
  return reach;
}

function bodyReaches(text: string, reach: ReadonlyMap<string, string>): string | null {
  const direct = ORDER_CALL.exec(text);
  if (direct !== null) return direct[1] as string;
  const call = /(?<![\w$])([A-Za-z_$][\w$]*)\s*(?:\(|\.\s*(?:call|apply|bind)\b)/g;
  for (let m = call.exec(text); m !== null; m = call.exec(text)) {
    const how = reach.get(m[1] as string);
    if (how !== undefined) return how;
  }
  return null;
}

function regionReaches(
  text: string,
  reach: ReadonlyMap<string, string>,
  callbackArgs: string | null,
): string | null {
  const how = bodyReaches(text, reach);
  if (how !== null) return how;
  if (callbackArgs !== null) {
    // a callback passed by reference: setInterval(tick, 1000), setTimeout(this.run.bind(this))
    const ref = ORDER_REF.exec(callbackArgs);
    if (ref !== null) return ref[1] as string;
    const ident = /(?<![\w$])([A-Za-z_$][\w$]*)(?![\w$])/g;
    for (let m = ident.exec(callbackArgs); m !== null; m = ident.exec(callbackArgs)) {
      const r = reach.get(m[1] as string);
      if (r !== undefined) return r;
    }
  }
  return null;
}

interface Region {
  readonly kind: LoopKind;
  readonly construct: string;
  readonly start: number;
  readonly text: string;
  /** The argument text of a timer / scheduler call (for callbacks passed by reference). */
  readonly callbackArgs: string | null;
}

const TIMER_CALL =
  /(?<![\w$])(setInterval|setTimeout|setImmediate|queueMicrotask|nextTick|setIntervalAsync|setTimeoutAsync|requestAnimationFrame)\s*\(/g;
const SCHEDULER_CALL =
  /(?<![\w$])(schedule|scheduleJob|scheduleRecurring|CronJob|Cron|cron|every|repeat|addSimpleIntervalJob|addCronJob)\s*\(/g;

function findRegions(code: string): Region[] {
  const regions: Region[] = [];
  for (const [re, kind] of [
    [TIMER_CALL, 'timer-callback'],
    [SCHEDULER_CALL, 'scheduler-callback'],
  ] as const) {
    re.lastIndex = 0;
    for (let m = re.exec(code); m !== null; m = re.exec(code)) {
      const open = m.index + m[0].length - 1;
      const close = matchBracket(code, open);
      const args = close === -1 ? code.slice(open) : code.slice(open + 1, close);
      // A timers/promises iterator: for await (const _ of setInterval(...)) { body }
      const before = code.slice(Math.max(0, m.index - 80), m.index);
      if (kind === 'timer-callback' && /for\s+await\s*\([^)]*\bof\s*$/.test(before)) {
        const forOpen = code.indexOf('(', code.lastIndexOf('for', m.index));
        const loopOpen = forOpen === -1 ? -1 : matchBracket(code, forOpen);
        const bodyAt = loopOpen === -1 ? -1 : skipSpace(code, loopOpen + 1);
        const body = bodyAt === -1 ? '' : expressionOrBlock(code, bodyAt);
        regions.push({
          kind: 'timer-iterator-loop',
          construct: `for await (... of ${m[1]}(...))`,
          start: m.index,
          text: body,
          callbackArgs: null,
        });
        continue;
      }
      regions.push({
        kind,
        construct: m[1] as string,
        start: m.index,
        text: args,
        callbackArgs: args,
      });
    }
  }
  // while (cond) body / do body while (cond) / for (;;) body
  const loop = /(?<![\w$.])(while|for)\s*\(/g;
  for (let m = loop.exec(code); m !== null; m = loop.exec(code)) {
    const open = m.index + m[0].length - 1;
    const close = matchBracket(code, open);
    if (close === -1) continue;
    const head = code.slice(open + 1, close).trim();
    let kind: LoopKind | null = null;
    let construct = '';
    if (m[1] === 'for') {
      const parts = head.split(';');
      if (parts.length === 3 && (parts[1]?.trim() ?? '') === '') {
        kind = 'infinite-loop';
        construct = `for (${head.replace(/\s+/g, ' ')})`;
      } else if (parts.length === 3 && isFlagCondition(parts[1]?.trim() ?? '')) {
        kind = 'flag-loop';
        construct = `for (${head.replace(/\s+/g, ' ')})`;
      }
    } else if (isInfiniteCondition(head)) {
      kind = 'infinite-loop';
      construct = `while (${head})`;
    } else if (isFlagCondition(head)) {
      kind = 'flag-loop';
      construct = `while (${head})`;
    }
    if (kind === null) continue;
    let body = '';
    const bodyAt = skipSpace(code, close + 1);
    if (m[1] === 'while' && code[bodyAt] === ';') {
      // the tail of `do { ... } while (cond);`: the body is the block before `while`
      let k = m.index - 1;
      while (k >= 0 && /\s/.test(code[k] as string)) k--;
      if (code[k] === '}') {
        const openBrace = matchBackward(code, k);
        if (openBrace !== -1) body = code.slice(openBrace, k + 1);
      }
    } else {
      body = expressionOrBlock(code, bodyAt);
    }
    regions.push({ kind, construct, start: m.index, text: body, callbackArgs: null });
  }
  return regions;
}

function matchBackward(code: string, close: number): number {
  let d = 0;
  for (let k = close; k >= 0; k--) {
    if (code[k] === '}') d++;
    else if (code[k] === '{') {
      d--;
      if (d === 0) return k;
    }
  }
  return -1;
}

function isInfiniteCondition(head: string): boolean {
  const h = head.replace(/\s+/g, '');
  return /^(?:true|1|!0|!false|!!1|'.*'|".*")$/.test(h) || h === '';
}

function isFlagCondition(head: string): boolean {
  // while (running), while (!stopped), while (this.active), while (!signal.aborted)
  return /^!*\s*[A-Za-z_$][\w$]*(?:\s*\??\.\s*[A-Za-z_$][\w$]*)*$/.test(head.trim());
}
