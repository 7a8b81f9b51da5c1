import { describe, expect, it } from 'vitest';
import { cliPrefix, pasteable, pasteableHelp } from './invocation.js';

const PNPM = 'pnpm/12.4.2 npm/? node/? linux x64';

describe('the command hints name', () => {
  it.each([
    [{}, 'qts'],
    [{ npm_config_user_agent: PNPM, PNPM_PACKAGE_NAME: 'qts' }, 'pnpm exec qts'],
    [
      { npm_config_user_agent: PNPM, PNPM_PACKAGE_NAME: 'qts', npm_lifecycle_event: 'qts' },
      'pnpm qts',
    ],
    // another script that runs qts: plain qts is what its author typed
    [{ npm_config_user_agent: PNPM, PNPM_PACKAGE_NAME: 'x', npm_lifecycle_event: 'e2e' }, 'qts'],
  ] as const)('%j -> %s', (env, prefix) => {
    expect(cliPrefix(env)).toBe(prefix);
  });

  it('rewrites commands in backticks and help example lines, and nothing else', () => {
    expect(pasteable('Run `qts orders` to reconcile; qts is fine.', 'pnpm exec qts')).toBe(
      'Run `pnpm exec qts orders` to reconcile; qts is fine.',
    );
    expect(pasteable('Run `qts orders`.', 'qts')).toBe('Run `qts orders`.');
    const help =
      'Usage: qts order [options]\n\nExamples:\n  qts orders        today\n  qts balance       cash\n';
    expect(pasteableHelp(help, 'pnpm exec qts')).toBe(
      'Usage: pnpm exec qts order [options]\n\nExamples:\n  pnpm exec qts orders        today\n  pnpm exec qts balance       cash\n',
    );
  });
});
