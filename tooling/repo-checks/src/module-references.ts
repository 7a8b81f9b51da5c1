/** A module named by a source file: `import ... from`, `export ... from`, `import(...)`, `require(...)`. */
export interface ModuleReference {
  /** The module specifier, as written. */
  readonly specifier: string;
  /** The 1-based line of the specifier. */
  readonly line: number;
  /** How the module is referenced. */
  readonly kind: 'static' | 'dynamic' | 'require';
}

interface Literal {
  readonly value: string;
  readonly offset: number;
}

const PUNCTUATION_BEFORE_REGEX = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const KEYWORDS_BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);
const IDENTIFIER = /[A-Za-z0-9_$]/;

/**
 * Replaces comments, regular expressions and string / template literals of JS or TS source by
 * placeholders (`\u0001n\u0001` for quoted strings, `\u0002n\u0002` for templates without
 * `${}`), so that import syntax can be matched without being fooled by text inside literals.
 */
function maskLiterals(source: string): { code: string; literals: Literal[] } {
  const literals: Literal[] = [];
  let i = 0;
  let last = ''; // last significant token: a punctuation character or an identifier
  let inWord = false;

  const note = (char: string): void => {
    if (IDENTIFIER.test(char)) {
      last = inWord ? last + char : char;
      inWord = true;
    } else {
      inWord = false;
      if (!/\s/.test(char)) last = char;
    }
  };

  const regexAllowed = (): boolean =>
    last === '' ||
    (last.length === 1 && PUNCTUATION_BEFORE_REGEX.has(last)) ||
    KEYWORDS_BEFORE_REGEX.has(last);

  const readQuoted = (sink: string[]): void => {
    const quote = source[i];
    const start = i;
    let value = '';
    i += 1;
    while (i < source.length && source[i] !== quote && source[i] !== '\n') {
      if (source[i] === '\\') {
        value += source[i + 1] ?? '';
        i += 2;
      } else {
        value += source[i];
        i += 1;
      }
    }
    i += 1;
    literals.push({ value, offset: start });
    sink.push(`\u0001${literals.length - 1}\u0001`);
    inWord = false;
    last = '"';
  };

  const readTemplate = (sink: string[]): void => {
    const start = i;
    let value = '';
    let plain = true;
    i += 1;
    while (i < source.length) {
      const char = source[i];
      if (char === '\\') {
        value += source[i + 1] ?? '';
        i += 2;
      } else if (char === '`') {
        i += 1;
        break;
      } else if (char === '$' && source[i + 1] === '{') {
        plain = false;
        i += 2;
        scan(true, []);
      } else {
        value += char;
        i += 1;
      }
    }
    literals.push({ value: plain ? value : '', offset: start });
    sink.push(plain ? `\u0002${literals.length - 1}\u0002` : ' ');
    inWord = false;
    last = '"';
  };

  const tryRegex = (): boolean => {
    let j = i + 1;
    let inClass = false;
    while (j < source.length) {
      const char = source[j];
      if (char === '\n') return false;
      if (char === '\\') {
        j += 2;
        continue;
      }
      if (char === '[') inClass = true;
      else if (char === ']') inClass = false;
      else if (char === '/' && !inClass) break;
      j += 1;
    }
    if (j >= source.length) return false;
    j += 1;
    while (j < source.length && /[a-z]/.test(source[j] ?? '')) j += 1;
    i = j;
    inWord = false;
    last = 'regex';
    return true;
  };

  function scan(stopAtBrace: boolean, sink: string[]): void {
    let depth = 0;
    while (i < source.length) {
      const char = source[i] ?? '';
      const next = source[i + 1];
      if (char === '/' && next === '/') {
        while (i < source.length && source[i] !== '\n') i += 1;
        sink.push(' ');
        inWord = false;
        continue;
      }
      if (char === '/' && next === '*') {
        const end = source.indexOf('*/', i + 2);
        i = end === -1 ? source.length : end + 2;
        sink.push(' ');
        inWord = false;
        continue;
      }
      if (char === '"' || char === "'") {
        readQuoted(sink);
        continue;
      }
      if (char === '`') {
        readTemplate(sink);
        continue;
      }
      if (char === '/' && regexAllowed() && tryRegex()) {
        sink.push(' ');
        continue;
      }
      if (stopAtBrace) {
        if (char === '{') depth += 1;
        else if (char === '}') {
          if (depth === 0) {
            i += 1;
            return;
          }
          depth -= 1;
        }
      }
      sink.push(char);
      note(char);
      i += 1;
    }
  }

  const out: string[] = [];
  scan(false, out);
  return { code: out.join(''), literals };
}

const PATTERNS: readonly { kind: ModuleReference['kind']; pattern: RegExp }[] = [
  {
    kind: 'static',
    pattern:
      /\b(?:import|export)\b(?:(?!\b(?:import|export)\b)[^;\u0001\u0002])*?\bfrom\s*\u0001(\d+)\u0001/g,
  },
  { kind: 'static', pattern: /\bimport\s*\u0001(\d+)\u0001/g },
  { kind: 'dynamic', pattern: /\bimport\s*\(\s*[\u0001\u0002](\d+)[\u0001\u0002]/g },
  { kind: 'require', pattern: /\brequire\s*\(\s*[\u0001\u0002](\d+)[\u0001\u0002]\s*\)/g },
];

/**
 * Finds every module a JS or TS source names through `import ... from`, `import '...'`,
 * `export ... from`, `import('...')` (also in type positions) and `require('...')`. Text in
 * comments and inside other string literals is ignored. Computed specifiers cannot be checked and
 * are not reported.
 *
 * @param source The file's text.
 * @returns The references, in source order.
 */
export function findModuleReferences(source: string): ModuleReference[] {
  const { code, literals } = maskLiterals(source);
  const found: { reference: ModuleReference; offset: number }[] = [];
  for (const { kind, pattern } of PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      const literal = literals[Number(match[1])];
      if (literal === undefined) continue;
      const line = source.slice(0, literal.offset).split('\n').length;
      found.push({ reference: { specifier: literal.value, line, kind }, offset: literal.offset });
    }
  }
  found.sort((a, b) => a.offset - b.offset);
  return found.map(({ reference }) => reference);
}
