// How the user ran qts, so that every command a hint or a help text names can be pasted as it is.
// From the repository `pnpm exec qts ...` (or the root script `pnpm qts ...`) runs the CLI;
// with the bin on PATH (or an alias) it is plain `qts`. Hints are written with `qts ...` in
// backticks (in this package and in the packages whose errors it prints) and rewritten here, at
// the moment they are printed.

/** The command that runs qts the way this process was started: `qts`, `pnpm exec qts` or `pnpm qts`. */
export function cliPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const viaPnpm = (env.npm_config_user_agent ?? '').startsWith('pnpm/');
  // `pnpm qts ...` runs the root package's script named "qts".
  if (env.npm_lifecycle_event === 'qts') return 'pnpm qts';
  // `pnpm exec qts ...` sets the package name but runs no script.
  if (viaPnpm && env.PNPM_PACKAGE_NAME !== undefined && env.npm_lifecycle_event === undefined) {
    return 'pnpm exec qts';
  }
  return 'qts';
}

/** Rewrites every `` `qts ...` `` in a message or hint to the way qts was run. */
export function pasteable(text: string, prefix: string = cliPrefix()): string {
  return prefix === 'qts' ? text : text.replaceAll('`qts ', `\`${prefix} `);
}

/**
 * Rewrites a help text: example lines (`  qts ...`, indented) and `` `qts ...` `` in prose. Every
 * example line of a block starts with `qts `, so their comments stay aligned.
 */
export function pasteableHelp(text: string, prefix: string = cliPrefix()): string {
  if (prefix === 'qts') return text;
  return pasteable(text, prefix)
    .replace(/^Usage: qts /gm, `Usage: ${prefix} `)
    .replace(/^( {2,})qts /gm, `$1${prefix} `);
}
