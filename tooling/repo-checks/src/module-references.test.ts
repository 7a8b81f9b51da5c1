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
      "const r = /import '@qts/in-regex'/;",
      "const q = a / 2; const w = b / 3; import { real } from '@qts/real';",
      'const url = "http://example.invalid//import(\'@qts/url\')";',
      "const o = { from: 'x' }; const arr = Array.from('abc');",
    ].join('\n');
    expect(specifiers(source)).toEqual(['@qts/real']);
  });

  it('ignores a computed dynamic import', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
    const source = 'const m = await import(name); await import(`@qts/${name}`);';
    expect(specifiers(source)).toEqual([]);
  });
});
