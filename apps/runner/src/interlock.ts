// Real-mode interlock (architecture.md sections 4 and 5): real trading needs explicit
// configuration (QTS_ALLOW_REAL=yes) AND, for order/cancel/modify, a confirmation on the
// terminal unless --yes.
import type { Config } from './config.js';
import { CliFailure, EXIT, usageFailure } from './failure.js';
import type { Output } from './output.js';

/** Refuses every command in real mode unless QTS_ALLOW_REAL=yes (exit 2). */
export function assertRealAllowed(config: Config): void {
  if (config.mode === 'real' && !config.allowReal) {
    throw new CliFailure(EXIT.notSent, {
      code: 'REAL_MODE_REFUSED',
      outcome: 'not_placed',
      message: 'Real mode is locked: QTS_ALLOW_REAL is not "yes". Nothing was sent.',
      brokerCode: null,
      brokerMessage: null,
      hint: 'To trade with real money set QTS_ALLOW_REAL=yes (and confirm each order); otherwise use --mode paper or --mode virtual.',
    });
  }
}

/** What the REAL banner shows. */
export interface RealAction {
  readonly action: string;
  readonly account: string;
  readonly host: string;
  readonly side: string | null;
  readonly symbol: string | null;
  readonly quantity: number | string | null;
  readonly price: number | string | null;
}

/** Reads one line from the terminal; resolves null when stdin closes first. */
async function askLine(question: string, output: NodeJS.WriteStream): Promise<string | null> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string | null>((resolve) => {
      let answered = false;
      rl.once('close', () => {
        if (!answered) resolve(null);
      });
      rl.question(question, (answer) => {
        answered = true;
        resolve(answer);
      });
    });
  } finally {
    rl.close();
  }
}

/**
 * Shows the REAL banner on stderr and asks for confirmation unless --yes. Without a terminal
 * and without --yes it refuses (exit 2); a declined confirmation refuses too (exit 2).
 */
export async function confirmReal(config: Config, out: Output, action: RealAction): Promise<void> {
  if (config.mode !== 'real') return;
  const c = out.stderrColors;
  const price =
    action.price === null
      ? null
      : typeof action.price === 'number'
        ? `${action.price.toLocaleString('en-US')} KRW`
        : action.price;
  const rows: [string, string | number | null][] = [
    ['action', action.action],
    ['account', action.account],
    ['broker host', action.host],
    ['side', action.side],
    ['symbol', action.symbol],
    ['quantity', action.quantity],
    ['price', price],
  ];
  const banner = [
    c.bold(c.bgRed(c.white(' REAL MONEY: this request goes to real KIS '))),
    ...rows
      .filter(([, value]) => value !== null)
      .map(([name, value]) => `  ${name.padEnd(12)} ${String(value)}`),
  ].join('\n');
  out.note(banner);
  if (config.yes) return;
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (!interactive) {
    throw usageFailure(
      'Real mode needs confirmation, but there is no terminal to ask on and --yes was not given. Nothing was sent.',
      'Run it in a terminal and answer "yes", or add --yes if you are sure.',
      'REAL_MODE_REFUSED',
    );
  }
  const answer = await askLine(`Type "yes" to send it to REAL KIS: `, process.stderr);
  if (answer?.trim().toLowerCase() !== 'yes') {
    throw usageFailure(
      'Not confirmed: nothing was sent.',
      'Answer "yes" to send a real order, or use --mode paper to practise.',
      'NOT_CONFIRMED',
    );
  }
}
