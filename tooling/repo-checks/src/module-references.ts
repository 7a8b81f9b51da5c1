import { type Argument, type Expression, parseSync, Visitor } from 'oxc-parser';

/** A module named by a source file: `import ... from`, `export ... from`, `import(...)`, `require(...)`. */
export interface ModuleReference {
  /** The module specifier, as written. */
  readonly specifier: string;
  /** The 1-based line of the specifier. */
  readonly line: number;
  /** How the module is referenced. */
  readonly kind: 'static' | 'dynamic' | 'require';
}

/**
 * Finds every module a JS or TS source names through `import ... from`, `import '...'`,
 * `export ... from`, `import x = require('...')`, `import('...')` (also in type positions),
 * `import.meta.resolve('...')`, `require('...')` and `require.resolve('...')`. The source is
 * parsed (oxc-parser), so text in comments, strings, templates and regular expressions is never
 * taken for a reference. Computed specifiers cannot be checked and are not reported.
 *
 * @param source The file's text.
 * @param fileName The file's name: its extension picks the syntax (TypeScript when omitted) and
 *   it names the file when the source cannot be parsed.
 * @returns The references, in source order.
 * @throws Error when the source does not parse: a check must not pass a file it could not read.
 */
export function findModuleReferences(source: string, fileName = 'source.ts'): ModuleReference[] {
  const result = parseSync(fileName, source, { preserveParens: false });
  const lineOf = (offset: number): number => source.slice(0, offset).split('\n').length;
  const error = result.errors.find((e) => e.severity === 'Error');
  if (error !== undefined) {
    const at = error.labels[0]?.start;
    throw new Error(
      `${fileName}${at === undefined ? '' : `:${lineOf(at)}`}: cannot be parsed (${error.message}), so its module references cannot be checked: fix the syntax`,
    );
  }
  const found: { reference: ModuleReference; offset: number }[] = [];
  const add = (node: Argument | Expression | null, kind: ModuleReference['kind']): void => {
    const specifier = constantString(node);
    if (node === null || specifier === null) return;
    found.push({ reference: { specifier, line: lineOf(node.start), kind }, offset: node.start });
  };
  new Visitor({
    ImportDeclaration: (node) => add(node.source, 'static'),
    ExportNamedDeclaration: (node) => add(node.source, 'static'),
    ExportAllDeclaration: (node) => add(node.source, 'static'),
    TSExternalModuleReference: (node) => add(node.expression, 'require'),
    ImportExpression: (node) => add(node.source, 'dynamic'),
    TSImportType: (node) => add(node.source, 'dynamic'),
    CallExpression: (node) => {
      const { callee } = node;
      const first = node.arguments[0] ?? null;
      if (callee.type === 'Identifier' && callee.name === 'require') add(first, 'require');
      if (
        callee.type === 'MemberExpression' &&
        !callee.computed &&
        callee.property.type === 'Identifier' &&
        callee.property.name === 'resolve'
      ) {
        const { object } = callee;
        if (object.type === 'Identifier' && object.name === 'require') add(first, 'require');
        if (object.type === 'MetaProperty' && object.meta.name === 'import') add(first, 'dynamic');
      }
    },
  }).visit(result.program);
  found.sort((a, b) => a.offset - b.offset);
  return found.map(({ reference }) => reference);
}

/** The value of a string literal or of a template literal without `${}`; otherwise null. */
function constantString(node: Argument | Expression | null): string | null {
  if (node === null) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) {
    return node.quasis[0]?.value.cooked ?? null;
  }
  return null;
}
