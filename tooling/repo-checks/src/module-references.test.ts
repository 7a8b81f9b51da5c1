import { describe, expect, it } from 'vitest';
import { findModuleReferences } from './module-references.js';

const specifiers = (source: string) => findModuleReferences(source).map((ref) => ref.specifier);

describe('findModuleReferences', () => {
  it('finds static, side-effect, re-export, dynamic, type and require references', () => {
    const source = [
      "import { a } from '@qts/a';",
      'import type { B } from "@qts/b";',
      "import '@qts/side';",
      "export * from './local.js';",
      "export { c as d } from '@qts/c/testing';",
      'import {',
      '  e,',
      '  f,',
      "} from '@qts/multi';",
      "const g = await import('@qts/dynamic');",
      'const h = await import(`@qts/template`);',
      "type T = typeof import('@qts/type-query');",
      "const i = require('@qts/required');",
      'import x, * as y from "@qts/star"',
    ].join('\n');
    expect(findModuleReferences(source)).toEqual([
      { specifier: '@qts/a', line: 1, kind: 'static' },
      { specifier: '@qts/b', line: 2, kind: 'static' },
      { specifier: '@qts/side', line: 3, kind: 'static' },
      { specifier: './local.js', line: 4, kind: 'static' },
      { specifier: '@qts/c/testing', line: 5, kind: 'static' },
      { specifier: '@qts/multi', line: 9, kind: 'static' },
      { specifier: '@qts/dynamic', line: 10, kind: 'dynamic' },
      { specifier: '@qts/template', line: 11, kind: 'dynamic' },
      { specifier: '@qts/type-query', line: 12, kind: 'dynamic' },
      { specifier: '@qts/required', line: 13, kind: 'require' },
      { specifier: '@qts/star', line: 14, kind: 'static' },
    ]);
  });

  it('ignores comments and text inside strings, templates and regular expressions', () => {
    const source = [
      "// import { a } from '@qts/in-line-comment';",
      "/* import '@qts/in-block-comment'; */",
      `const s = "import { b } from '@qts/in-string'";`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
      "const t = `export * from '@qts/in-template' ${1 + 1}`;",
      // (a `/` inside a regular expression is escaped, or it would end the expression)
      "const r = /import '@qts\\/in-regex'/;",
      "const q = a / 2; const w = b / 3; import { real } from '@qts/real';",
      'const url = "http://example.invalid//import(\'@qts/url\')";',
      "const o = { from: 'x' }; const arr = Array.from('abc');",
    ].join('\n');
    expect(specifiers(source)).toEqual(['@qts/real']);
  });

  it('reads shapes a hand-written lexer misread: regexes after ")" or a keyword-like name, template expressions', () => {
    const source = [
      // a lexer took this `/` for a division and the quote for a string that hid the import
      "if (ok) /'/.test(s); import { a } from '@qts/after-regex';",
      // and took `of / 2 /` for a regular expression
      "const of = 4; const half = of / 2; import { b } from '@qts/after-division'; const q = 1 / 2;",
      "const r = /[`'\"]/; import { c } from '@qts/after-quote-class';",
      // a reference inside a template literal's expression is code, not template text
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
      "const label = `${(await import('@qts/in-template-expression')).name}`;",
    ].join('\n');
    expect(findModuleReferences(source)).toEqual([
      { specifier: '@qts/after-regex', line: 1, kind: 'static' },
      { specifier: '@qts/after-division', line: 2, kind: 'static' },
      { specifier: '@qts/after-quote-class', line: 3, kind: 'static' },
      { specifier: '@qts/in-template-expression', line: 4, kind: 'dynamic' },
    ]);
  });

  it('finds import x = require(), require.resolve() and import.meta.resolve(), not other .require()', () => {
    const source = [
      "import legacy = require('@qts/import-equals');",
      "const entry = require.resolve('@qts/resolved/src/deep.ts');",
      "const url = import.meta.resolve('@qts/meta-resolved');",
      "const other = module.require('@qts/not-require');",
    ].join('\n');
    expect(findModuleReferences(source)).toEqual([
      { specifier: '@qts/import-equals', line: 1, kind: 'require' },
      { specifier: '@qts/resolved/src/deep.ts', line: 2, kind: 'require' },
      { specifier: '@qts/meta-resolved', line: 3, kind: 'dynamic' },
    ]);
  });

  it('refuses a source it cannot parse instead of reporting no references', () => {
    expect(() =>
      findModuleReferences("import { a } from '@qts/a';\nconst x = ;\n", 'src/broken.ts'),
    ).toThrow(/^src\/broken\.ts:2: cannot be parsed/);
  });

  it('ignores a computed dynamic import', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
    const source = 'const m = await import(name); await import(`@qts/${name}`);';
    expect(specifiers(source)).toEqual([]);
  });
});
