// Gate D 5 (static half): finds timers, intervals, schedulers and loops that reach order
// placement, cancel or modify. Each file is parsed by oxc-parser (typescript@7 has no compiler
// API); the check works on the syntax tree, matches functions by name and errs on the side of
// flagging.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseSync, visitorKeys } from 'oxc-parser';

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
      if (isDir(src)) walkDir(src, files);
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

function walkDir(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!EXCLUDED_DIR.has(entry.name)) walkDir(path, out);
    } else if (SOURCE_EXT.test(entry.name) && !EXCLUDED_FILE.test(entry.name)) {
      out.push(path);
    }
  }
}

const words = (list: string): ReadonlySet<string> => new Set(list.split(' '));
const ORDER_NAME_SET = words(ORDER_CALL_NAMES.join(' '));
/** Order names that also count when passed by reference (`setTimeout(route.submit.bind(route))`). */
const ORDER_REF_SET = words('placeOrder submit cancelOrder modifyOrder');
const TIMER_NAMES = words(
  'setInterval setTimeout setImmediate queueMicrotask nextTick setIntervalAsync setTimeoutAsync requestAnimationFrame',
);
const SCHEDULER_NAMES = words(
  'schedule scheduleJob scheduleRecurring CronJob Cron cron every repeat addSimpleIntervalJob addCronJob',
);
/** Expression wrappers that do not change which function or value is meant. */
const WRAPPERS = words(
  'ParenthesizedExpression TSAsExpression TSSatisfiesExpression TSNonNullExpression TSTypeAssertion TSInstantiationExpression ChainExpression',
);
const FUNCTION_TYPES = words('FunctionDeclaration FunctionExpression ArrowFunctionExpression');

/** A syntax-tree node as oxc-parser returns it (ESTree shape, UTF-16 offsets). */
interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

/** A named function or method: its body is followed when something calls the name. */
interface Definition {
  readonly name: string;
  readonly file: ParsedFile;
  readonly at: number;
  readonly start: number;
  readonly end: number;
}

/** A name at an offset: an identifier, a property name (`x.f`, `this.#f`, `x['f']`). */
interface Named {
  readonly at: number;
  readonly name: string;
}

/** A call site: `name(...)`, `x.name(...)`, `new name(...)`, `name.call(...)` and the like. */
interface Call extends Named {
  /** `name(...)`, `this.name(...)` or `this.#name(...)`: a call of the enclosing function itself. */
  readonly self: boolean;
}

interface Region {
  readonly file: ParsedFile;
  readonly kind: LoopKind;
  readonly construct: string;
  readonly at: number;
  /** The code that runs repeatedly or later: a loop body or a timer call's arguments. */
  readonly start: number;
  readonly end: number;
  /** Whether a callback may be passed by reference here (timer and scheduler arguments). */
  readonly byReference: boolean;
}

interface ParsedFile {
  readonly rel: string;
  readonly source: string;
  readonly lineStarts: readonly number[];
  readonly calls: Call[];
  /** Every identifier and property name: callbacks passed by reference. */
  readonly refs: Named[];
}

/**
 * Scans every `packages/*\/src` and `apps/*\/src` under `root` (tests, benchmarks, fixtures and
 * declaration files excluded) for a timer, interval, scheduler, infinite or flag-controlled loop,
 * or self-recursive function that reaches placeOrder / submit / cancel / modify / cancelOrder /
 * modifyOrder, directly or through functions and methods defined anywhere in the scanned code
 * (matched by name, so a name shared by two functions counts as both). A file that does not
 * parse throws: the check never passes on code it could not read.
 */
export function scanForTradingLoops(root: string): TradingLoopScan {
  const defs: Definition[] = [];
  const regions: Region[] = [];
  const files = listGateSourceFiles(root).map((path) =>
    parseFile(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'), defs, regions),
  );
  const reach = computeReach(defs);
  const findings: TradingLoopFinding[] = [];
  for (const region of regions) {
    const { file, start, end } = region;
    const how =
      firstReach(within(file.calls, start, end), ORDER_NAME_SET, reach) ??
      (region.byReference ? firstReach(within(file.refs, start, end), ORDER_REF_SET, reach) : null);
    if (how !== null) {
      findings.push({
        file: region.file.rel,
        line: lineOf(region.file, region.at),
        kind: region.kind,
        construct: region.construct,
        reaches: how,
      });
    }
  }
  for (const def of defs) {
    if (ORDER_NAME_SET.has(def.name)) continue;
    const how = reach.get(def.name);
    if (how === undefined) continue;
    const calls = within(def.file.calls, def.start, def.end);
    if (!calls.some((call) => call.self && call.name === def.name)) continue;
    findings.push({
      file: def.file.rel,
      line: lineOf(def.file, def.at),
      kind: 'recursive-function',
      construct: `function ${def.name}`,
      reaches: how,
    });
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return {
    files: files.map((f) => f.rel).sort(),
    constructs: regions.length,
    functions: defs.length,
    findings,
  };
}

function parseFile(rel: string, source: string, defs: Definition[], regions: Region[]): ParsedFile {
  const result = parseSync(rel, source, { preserveParens: false });
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const file: ParsedFile = { rel, source, lineStarts, calls: [], refs: [] };
  const error = result.errors.find((e) => e.severity === 'Error');
  if (error !== undefined) {
    const at = error.labels[0]?.start;
    const where = at === undefined ? rel : `${rel}:${lineOf(file, at)}`;
    throw new Error(
      `${where}: cannot be parsed (${error.message}), so the no-trading-loop check cannot read it: fix the syntax`,
    );
  }
  // A timer call that is the iterable of `for await` is reported as the loop, not as a callback.
  const iteratorTimers = new Set<AstNode>();
  walk(result.program as unknown as AstNode, [], (node, ancestors) => {
    switch (node.type) {
      case 'CallExpression':
      case 'NewExpression':
      case 'TaggedTemplateExpression':
        noteCall(file, node, regions, iteratorTimers);
        break;
      case 'Identifier':
      case 'PrivateIdentifier':
        file.refs.push({ at: node.start, name: String(node.name) });
        break;
      case 'MemberExpression': {
        // `x['submit']`: a string property name counts like `x.submit`
        const property = node.computed ? keyName(node.property, true) : null;
        if (property !== null) file.refs.push(property);
        break;
      }
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
        noteLoop(file, node, regions);
        break;
      case 'ForOfStatement':
        noteTimerIterator(file, node, regions, iteratorTimers);
        break;
      default:
        if (FUNCTION_TYPES.has(node.type) && isNode(node.body)) {
          for (const { name, at } of functionNames(node, ancestors)) {
            defs.push({ name, file, at, start: node.start, end: node.end });
          }
        }
    }
  });
  file.calls.sort((a, b) => a.at - b.at);
  file.refs.sort((a, b) => a.at - b.at);
  return file;
}

function walk(
  node: AstNode,
  ancestors: AstNode[],
  visit: (node: AstNode, ancestors: readonly AstNode[]) => void,
): void {
  visit(node, ancestors);
  const keys = visitorKeys[node.type];
  if (keys === undefined) return;
  ancestors.push(node);
  for (const key of keys) {
    const child = node[key];
    if (Array.isArray(child)) {
      for (const item of child) if (isNode(item)) walk(item, ancestors, visit);
    } else if (isNode(child)) {
      walk(child, ancestors, visit);
    }
  }
  ancestors.pop();
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string';
}

function unwrap(node: AstNode): AstNode {
  let n = node;
  while (WRAPPERS.has(n.type) && isNode(n.expression)) n = n.expression;
  return n;
}

/** The name of a property key or member property: `a`, `#a`, `'a'`; null when computed. */
function keyName(key: unknown, computed: unknown): Named | null {
  if (!isNode(key)) return null;
  if (!computed && (key.type === 'Identifier' || key.type === 'PrivateIdentifier')) {
    return { name: String(key.name), at: key.start };
  }
  if (key.type === 'Literal' && typeof key.value === 'string') {
    return { name: key.value, at: key.start };
  }
  return null;
}

/** The name a callee or callback expression refers to: `f`, `x.f`, `this.#f`, `x['f']`. */
function calleeName(expr: AstNode): Named | null {
  const n = unwrap(expr);
  if (n.type === 'Identifier') return { name: String(n.name), at: n.start };
  if (n.type === 'MemberExpression') return keyName(n.property, n.computed);
  return null;
}

function noteCall(
  file: ParsedFile,
  node: AstNode,
  regions: Region[],
  iteratorTimers: ReadonlySet<AstNode>,
): void {
  const calleeNode = node.type === 'TaggedTemplateExpression' ? node.tag : node.callee;
  if (!isNode(calleeNode)) return;
  const callee = unwrap(calleeNode);
  const name = calleeName(callee);
  if (name === null) return;
  const self =
    callee.type === 'Identifier' ||
    (callee.type === 'MemberExpression' &&
      isNode(callee.object) &&
      unwrap(callee.object).type === 'ThisExpression');
  file.calls.push({ at: name.at, name: name.name, self });
  // f.call(...), f.apply(...), x.f.bind(x): a call of f
  if (
    callee.type === 'MemberExpression' &&
    ['call', 'apply', 'bind'].includes(name.name) &&
    isNode(callee.object)
  ) {
    const target = calleeName(callee.object);
    if (target !== null) file.calls.push({ at: target.at, name: target.name, self: false });
  }
  const kind: LoopKind | null = TIMER_NAMES.has(name.name)
    ? 'timer-callback'
    : SCHEDULER_NAMES.has(name.name)
      ? 'scheduler-callback'
      : null;
  if (kind === null || iteratorTimers.has(node) || !Array.isArray(node.arguments)) return;
  const args = node.arguments.filter(isNode);
  const first = args[0];
  const last = args[args.length - 1];
  regions.push({
    file,
    kind,
    construct: name.name,
    at: name.at,
    start: first?.start ?? node.end,
    end: last?.end ?? node.end,
    byReference: true,
  });
}

function noteTimerIterator(
  file: ParsedFile,
  node: AstNode,
  regions: Region[],
  iteratorTimers: Set<AstNode>,
): void {
  // for await (const _ of setInterval(1000)) { body }: the node:timers/promises iterator
  if (node.await !== true || !isNode(node.right) || !isNode(node.body)) return;
  const right = unwrap(node.right);
  if (right.type !== 'CallExpression' || !isNode(right.callee)) return;
  const name = calleeName(right.callee);
  if (name === null || !TIMER_NAMES.has(name.name)) return;
  iteratorTimers.add(right);
  regions.push({
    file,
    kind: 'timer-iterator-loop',
    construct: `for await (... of ${name.name}(...))`,
    at: name.at,
    start: node.body.start,
    end: node.body.end,
    byReference: false,
  });
}

function noteLoop(file: ParsedFile, node: AstNode, regions: Region[]): void {
  if (!isNode(node.body)) return;
  const test = isNode(node.test) ? node.test : null;
  const kind: LoopKind | null =
    test === null || constantTruth(test) === true
      ? 'infinite-loop'
      : isFlagCondition(test)
        ? 'flag-loop'
        : null;
  if (kind === null) return;
  const text = (n: unknown): string =>
    isNode(n) ? file.source.slice(n.start, n.end).replace(/\s+/g, ' ') : '';
  let construct: string;
  let at = node.start;
  if (node.type === 'ForStatement') {
    const cond = text(node.test);
    const update = text(node.update);
    construct = `for (${text(node.init)};${cond && ` ${cond}`};${update && ` ${update}`})`;
  } else {
    construct = `while (${text(test)})`;
    // `do { ... } while (cond)` is reported at its `while`
    if (node.type === 'DoWhileStatement' && test !== null) {
      at = file.source.lastIndexOf('while', test.start);
    }
  }
  regions.push({
    file,
    kind,
    construct,
    at,
    start: node.body.start,
    end: node.body.end,
    byReference: false,
  });
}

/** `true`, `1`, `'x'`, `!0`, `!false`, `!!1` ...: true; a constant falsy value: false; else null. */
function constantTruth(expr: AstNode): boolean | null {
  const n = unwrap(expr);
  if (n.type === 'Literal') {
    const v = n.value;
    if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return !!v;
    return v === null ? false : null;
  }
  if (n.type === 'UnaryExpression' && n.operator === '!' && isNode(n.argument)) {
    const inner = constantTruth(n.argument);
    return inner === null ? null : !inner;
  }
  if (n.type === 'TemplateLiteral' && Array.isArray(n.expressions) && n.expressions.length === 0) {
    const quasi: unknown = Array.isArray(n.quasis) ? n.quasis[0] : undefined;
    return isNode(quasi) && quasi.end > quasi.start;
  }
  return null;
}

/**
 * A loop kept going by a flag: `running`, `!stopped`, `this.active`, `!signal?.aborted`,
 * `running === true`, and `&&` / `||` of such flags.
 */
function isFlagCondition(expr: AstNode): boolean {
  const n = unwrap(expr);
  switch (n.type) {
    case 'Identifier':
      return true;
    case 'MemberExpression':
      return isFlagPath(n);
    case 'UnaryExpression':
      return n.operator === '!' && isNode(n.argument) && isFlagCondition(n.argument);
    case 'LogicalExpression':
      return (
        (n.operator === '&&' || n.operator === '||') &&
        isNode(n.left) &&
        isNode(n.right) &&
        (isFlagCondition(n.left) || constantTruth(n.left) !== null) &&
        (isFlagCondition(n.right) || constantTruth(n.right) !== null)
      );
    case 'BinaryExpression': {
      if (!['===', '!==', '==', '!='].includes(String(n.operator))) return false;
      if (!isNode(n.left) || !isNode(n.right)) return false;
      const isBool = (x: AstNode) => {
        const u = unwrap(x);
        return u.type === 'Literal' && typeof u.value === 'boolean';
      };
      return (
        (isBool(n.right) && isFlagCondition(n.left)) || (isBool(n.left) && isFlagCondition(n.right))
      );
    }
    default:
      return false;
  }
}

function isFlagPath(expr: AstNode): boolean {
  const n = unwrap(expr);
  if (n.type === 'Identifier' || n.type === 'ThisExpression') return true;
  return (
    n.type === 'MemberExpression' &&
    keyName(n.property, n.computed) !== null &&
    isNode(n.object) &&
    isFlagPath(n.object)
  );
}

/**
 * The names under which a function can be called: its own name (`function f`), the binding it
 * initializes (`const f = () => ...`, `f: function () {}`, `f = async () => ...` in a class,
 * `obj.f = ...`) or the method it implements (`f() {}`, `#f() {}`, `get f() {}`).
 */
function functionNames(fn: AstNode, ancestors: readonly AstNode[]): Named[] {
  const names: Named[] = [];
  if (isNode(fn.id) && fn.id.type === 'Identifier') {
    names.push({ name: String(fn.id.name), at: fn.id.start });
  }
  let child = fn;
  let i = ancestors.length - 1;
  while (i >= 0 && WRAPPERS.has((ancestors[i] as AstNode).type)) child = ancestors[i--] as AstNode;
  const parent = ancestors[i];
  if (parent === undefined) return names;
  let bound: Named | null = null;
  switch (parent.type) {
    case 'VariableDeclarator':
      if (parent.init === child && isNode(parent.id) && parent.id.type === 'Identifier') {
        bound = { name: String(parent.id.name), at: parent.id.start };
      }
      break;
    case 'Property':
    case 'PropertyDefinition':
      if (parent.value === child) bound = keyName(parent.key, parent.computed);
      break;
    case 'MethodDefinition':
    case 'TSAbstractMethodDefinition':
      if (parent.value === child && parent.kind !== 'constructor') {
        bound = keyName(parent.key, parent.computed);
      }
      break;
    case 'AssignmentExpression':
      if (parent.right === child && isNode(parent.left)) bound = calleeName(parent.left);
      break;
  }
  if (bound !== null && !names.some((n) => n.name === bound.name)) names.push(bound);
  return names;
}

/** name -> how it reaches an order call (`submit`, or `a -> b -> submit`). */
function computeReach(defs: readonly Definition[]): Map<string, string> {
  const reach = new Map<string, string>(ORDER_CALL_NAMES.map((name) => [name, name]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const def of defs) {
      if (reach.has(def.name)) continue;
      const how = firstReach(within(def.file.calls, def.start, def.end), ORDER_NAME_SET, reach);
      if (how !== null) {
        reach.set(def.name, `${def.name} -> ${how}`);
        changed = true;
      }
    }
  }
  return reach;
}

/** The items (sorted by offset) that lie in [start, end). */
function within<T extends Named>(list: readonly T[], start: number, end: number): T[] {
  const from = firstIndex(list.length, (i) => (list[i] as T).at >= start);
  return list.slice(
    from,
    firstIndex(list.length, (i) => (list[i] as T).at >= end),
  );
}

/** The first index below `length` at which `past` holds (it must hold from there on). */
function firstIndex(length: number, past: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (past(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** An order name among `names` first, else the first name known to reach an order call. */
function firstReach(
  names: readonly Named[],
  orders: ReadonlySet<string>,
  reach: ReadonlyMap<string, string>,
): string | null {
  const order = names.find((n) => orders.has(n.name));
  if (order !== undefined) return order.name;
  for (const { name } of names) {
    const how = reach.get(name);
    if (how !== undefined) return how;
  }
  return null;
}

/** 1-based line of an offset: the number of lines that start at or before it. */
function lineOf(file: ParsedFile, offset: number): number {
  return firstIndex(file.lineStarts.length, (i) => (file.lineStarts[i] as number) > offset);
}
