// The `qts` command line: commander definitions only. Every command loads what it needs
// (config, logging, SQLite, ws, the sandbox) with a dynamic import inside its action, so
// `qts --help` starts fast.
import {
  Argument,
  type Command,
  Command as CommanderCommand,
  CommanderError,
  Option,
} from 'commander';
import { type CliFailure, EXIT, type ExitCode, toFailure, usageFailure } from './failure.js';
import { COMMANDS } from './fast-args.js';
import { pasteable, pasteableHelp } from './invocation.js';
import type { CommandHandler, Options } from './options.js';
import { sentences } from './text.js';

function addGlobals(command: Command): Command {
  return command
    .addOption(
      new Option('--mode <mode>', 'virtual (default, no account), paper or real (env QTS_MODE)'),
    )
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--verbose', 'also write the log to stderr')
    .option('-y, --yes', 'real mode: do not ask for confirmation');
}

const ENV_HELP = `
Environment:
  QTS_MODE              virtual | paper | real (a --mode flag beats it); default virtual
  QTS_HOME              state folder (tokens, journal, virtual exchange, logs); default ~/.qts
  QTS_KIS_APP_KEY       KIS app key (paper/real)
  QTS_KIS_APP_SECRET    KIS app secret (paper/real; never printed or logged)
  QTS_KIS_ACCOUNT       KIS account NNNNNNNN-NN (paper/real)
  QTS_KIS_HTS_ID        HTS id (paper/real: needed by \`qts watch\` for execution notices)
  QTS_KIS_BASE_URL      REST base URL override (e.g. the sandbox)
  QTS_KIS_WS_URL        WebSocket URL override (e.g. the sandbox)
  QTS_KIS_TIMEOUT_MS    request timeout in ms
  QTS_KIS_RATE_PER_SEC  request rate limit (number, or off)
  QTS_ALLOW_REAL        must be "yes" for --mode real
  QTS_MARKET_HOURS      "enforce": virtual mode refuses orders outside KRX hours (default: a note)

Exit codes:
  0 done   2 nothing sent (input, config, unknown id, real-mode refusal)
  3 broker refused   4 outcome unknown (run \`qts orders\`)   1 anything else (e.g. no connection)`;

const ORDER_ID_HELP =
  "the local order id or a unique prefix of it, or today's broker order number (see `qts orders`)";

/** Width of every help text. */
export const HELP_WIDTH = 100;

type Action = (args: readonly string[], options: Options) => Promise<ExitCode>;

/** Builds the program. `finish` receives each action's exit code. */
export function buildProgram(finish: (code: ExitCode) => void): Command {
  const program = new CommanderCommand('qts');
  program
    .description(
      'QTS: place and follow orders on KIS (virtual, paper or real) by hand. One command per run.',
    )
    .usage('<command> [options]')
    .showHelpAfterError(false)
    .allowExcessArguments(false)
    .addHelpText(
      'after',
      `
Examples:
  qts order buy 005930 1 --price 70000      a virtual limit order (no account needed)
  qts orders                                today's orders, reconciled with the broker
  qts --mode paper balance --json           paper account balance as JSON
  qts sandbox --port 0                      a local KIS sandbox for paper mode
${ENV_HELP}`,
    );
  addGlobals(program);

  const wire = (command: Command, load: () => Promise<CommandHandler>): void => {
    addGlobals(command);
    command.action(async (...raw: unknown[]) => {
      const cmd = raw[raw.length - 1] as Command;
      const args = cmd.processedArgs.map((arg: unknown) => String(arg));
      const options = cmd.optsWithGlobals() as Options;
      const action: Action = async (a, o) => {
        const handler = await load();
        const { runCommand } = await import('./runtime.js');
        return runCommand(cmd.name(), o, (runtime) => handler(runtime, a, o));
      };
      finish(await action(args, options));
    });
  };

  const order = program
    .command('order')
    .description(
      'place one order: buy|sell <symbol> <qty> (--price <KRW> | --market), other order types below',
    )
    .addArgument(new Argument('<side>', 'buy or sell').choices(['buy', 'sell']))
    .argument('<symbol>', 'KRX code, e.g. 005930 (or Q + 6 digits for an ETN)')
    .argument('<qty>', 'whole number of shares, at least 1')
    .option('--price <KRW>', 'limit price in KRW, on the KRX tick')
    .option('--market', 'market order (no price)')
    .option('--ioc', 'immediate or cancel: fill what can fill now, the exchange cancels the rest')
    .option('--fok', 'fill or kill: fill all of it now, or none of it')
    .option(
      '--best',
      '최유리지정가: the best price on the other side (no --price; with --ioc/--fok too)',
    )
    .option('--priority', '최우선지정가: the best price on your own side (no --price)')
    .option(
      '--conditional',
      '조건부지정가: a limit (--price) that turns market at the closing auction',
    )
    .option(
      '--session <pre|post|single>',
      'KRX off-hours: pre / post at the close price (no --price), single with --price',
    )
    .option(
      '--venue <KRX|NXT|SOR>',
      'where the order goes (default KRX; NXT = Nextrade, SOR = routed)',
    )
    .option(
      '--client-order-id <id>',
      'your id for this order; the same id never makes a second order',
    )
    .option('--force', 'send even though an earlier identical order ended unknown')
    .addHelpText(
      'after',
      `
Order types                        paper  real   (virtual: all; sources in docs/order-types.md)
  --price P                        yes    yes    limit 지정가
  --market                         yes    yes    market 시장가
  --conditional --price P          yes    yes    conditional limit 조건부지정가
  --best                           yes    yes    best opposite price 최유리지정가
  --priority                       yes    yes    best own-side price 최우선지정가
  --ioc | --fok  --price P         no     yes    IOC / FOK limit
  --ioc | --fok  --market          no     yes    IOC / FOK market
  --ioc | --fok  --best            no     yes    IOC / FOK best 최유리
  --session pre | post             no     yes    at the close, 08:30-08:40 / 15:40-16:00 KST
  --session single --price P       no     yes    after-hours single price, 16:00-18:00 KST
  --venue NXT | SOR                no     yes    Nextrade / smart order routing (default KRX)
Outside a venue's hours such an order is refused before sending (virtual mode: only with
QTS_MARKET_HOURS=enforce).

Examples:
  qts order buy 005930 10 --price 70000
  qts order sell 005930 5 --market --json
  qts order buy 005930 10 --price 70000 --ioc              what does not fill now is canceled
  qts order buy 005930 10 --best --venue SOR               priced by the exchange, routed
  qts order sell 005930 10 --session single --price 70000  after-hours single price
  qts order buy 005930 1 --price 70000 --client-order-id intent-001
  qts --mode real order buy 005930 1 --price 70000         asks to confirm (QTS_ALLOW_REAL=yes)

Exit: 0 accepted/filled, 2 nothing sent, 3 broker refused, 4 outcome unknown (run \`qts orders\`).`,
    );
  wire(order, COMMANDS.order.load);

  const orders = program
    .command('orders')
    .description(
      'list the orders of a trading date (default: today in Seoul), reconciled with the broker',
    )
    .option('--date <YYYYMMDD>', 'trading date, e.g. 20260105')
    .addHelpText(
      'after',
      `
Examples:
  qts orders
  qts orders --date 20260105 --json

Without the broker (no connection, refused) it still lists the journal, says it is NOT
reconciled, and exits with the failure's code (1 no connection, 3 refused).`,
    );
  wire(orders, COMMANDS.orders.load);

  const cancel = program
    .command('cancel')
    .description('cancel the remaining quantity of an order')
    .argument('<orderId>', ORDER_ID_HELP)
    .addHelpText(
      'after',
      `
Examples:
  qts cancel o-0mxbcc0p0-0ca0352     the local order id (see \`qts orders\`)
  qts cancel o-0mxbcc                a unique prefix of it
  qts cancel 0000012345 --json       today's broker order number`,
    );
  wire(cancel, COMMANDS.cancel.load);

  const modify = program
    .command('modify')
    .description('change the price and/or the remaining quantity of an open order')
    .argument('<orderId>', ORDER_ID_HELP)
    .option('--price <KRW>', 'new limit price in KRW, on the KRX tick')
    .option('--qty <n>', 'new REMAINING quantity (not the new total)')
    .addHelpText(
      'after',
      `
Examples:
  qts modify o-0mxbcc --price 69900
  qts modify 0000012345 --qty 3 --json`,
    );
  wire(modify, COMMANDS.modify.load);

  const balance = program
    .command('balance')
    .description('cash and positions of the account')
    .option('--symbol <symbol>', 'also show the buying power for this symbol (one more inquiry)')
    .option('--price <KRW>', 'with --symbol: at this limit price (default: at market)')
    .addHelpText(
      'after',
      `
Examples:
  qts balance
  qts --mode paper balance --json
  qts balance --symbol 005930 --price 70000   how many shares 70,000 KRW each can buy`,
    );
  wire(balance, COMMANDS.balance.load);

  const quote = program
    .command('quote')
    .description("current price, the day's upper and lower limits and the tick of a symbol")
    .argument('<symbol>', 'KRX code, e.g. 005930 (or Q + 6 digits for an ETN)')
    .addHelpText(
      'after',
      `
Examples:
  qts quote 005930
  qts --mode paper quote 005930 --json

KIS modes ask inquire-price once; virtual mode uses the reference price as the price and as the
previous close (limits ±30 % of it on the tick). A limit order outside the limits is refused
before anything is sent.`,
    );
  wire(quote, COMMANDS.quote.load);

  const token = program
    .command('token')
    .description('status of the cached KIS access token (expiry, file), never the token itself')
    .addHelpText(
      'after',
      `
Examples:
  qts --mode paper token
  qts --mode paper token --json`,
    );
  wire(token, COMMANDS.token.load);

  const sandbox = program
    .command('sandbox')
    .description('serve a local KIS-protocol sandbox on 127.0.0.1 until Ctrl-C (state in memory)')
    .addOption(
      new Option('--env <env>', 'paper or real').choices(['paper', 'real']).default('paper'),
    )
    .option('--port <n>', 'port; 0 picks a free one', '0')
    .addHelpText(
      'after',
      `
Prints on stdout, then serves until Ctrl-C, SIGTERM or SIGHUP:
  QTS_MODE=paper
  QTS_KIS_BASE_URL=http://127.0.0.1:<port>
  QTS_KIS_WS_URL=ws://127.0.0.1:<port>
  QTS_KIS_APP_KEY=...  QTS_KIS_APP_SECRET=...  QTS_KIS_ACCOUNT=...  QTS_KIS_HTS_ID=...

Examples:
  qts sandbox --port 0 > sandbox.env &      in the background; stop it with: kill $!
  qts sandbox --env real --port 18080       a real-environment sandbox on a fixed port

Then, in the shell that places orders: set -a; . ./sandbox.env; set +a`,
    );
  wire(sandbox, async () => (await import('./commands/sandbox.js')).sandboxCommand);

  const watch = program
    .command('watch')
    .description("show execution notices for today's orders until Ctrl-C (never places anything)")
    .addHelpText(
      'after',
      `
Examples:
  qts --mode paper watch
  qts --mode paper watch --json     on Ctrl-C prints one JSON object {orders, events}

Stops with exit 0 on Ctrl-C, SIGTERM or SIGHUP. Stops at once, with what to fix, on what waiting
cannot fix: QTS_KIS_HTS_ID not set (exit 2), credentials refused (exit 3).`,
    );
  wire(watch, COMMANDS.watch.load);

  const virtual = program.command('virtual').description('virtual-mode tools');
  addGlobals(virtual);
  const price = virtual
    .command('price')
    .description('set the reference price of a symbol in the virtual exchange')
    .argument('<symbol>', 'KRX code, e.g. 005930')
    .argument('<KRW>', 'reference price in KRW, on the KRX tick')
    .addHelpText(
      'after',
      `
Examples:
  qts virtual price 005930 70000
  qts order buy 005930 1 --market     fills at the reference price`,
    );
  wire(price, COMMANDS['virtual price'].load);

  return program;
}

/** The command named in `argv` followed by a space (`virtual price `), or '' when none is. */
function commandOf(argv: readonly string[]): string {
  const at = argv.findIndex((arg) => COMMAND_NAMES.has(arg) || arg === 'virtual');
  const first = argv[at];
  if (first === undefined) return '';
  if (first === 'virtual') return argv[at + 1] === 'price' ? 'virtual price ' : 'virtual ';
  return `${first} `;
}

const COMMAND_NAMES = new Set([
  'order',
  'orders',
  'cancel',
  'modify',
  'balance',
  'token',
  'sandbox',
  'watch',
]);

function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Runs the CLI with `argv` (without node and script). Resolves the exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  let errText = '';
  const configure = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({
      // A fixed width keeps help identical on every terminal (and lets cli.ts print the
      // top-level help without loading commander).
      getOutHelpWidth: () => HELP_WIDTH,
      getErrHelpWidth: () => HELP_WIDTH,
      writeOut: (text) => {
        process.stdout.write(pasteableHelp(text));
      },
      writeErr: (text) => {
        errText += text;
      },
      outputError: (text) => {
        errText += text;
      },
    });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      ) {
        return EXIT.ok;
      }
      if (error.code === 'commander.help') {
        // `qts` or `qts virtual` without a command: help went to stderr.
        process.stderr.write(pasteableHelp(errText));
        return EXIT.notSent;
      }
      const message = (error.message || errText)
        .replace(/^error:\s*/i, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim();
      const failure = usageFailure(
        `${message.charAt(0).toUpperCase()}${message.slice(1)}.`.replace(/\.\.$/, '.'),
        `Nothing was sent. See \`qts ${commandOf(argv)}--help\` for usage and examples.`,
      );
      report(failure, wantsJson(argv));
      return EXIT.notSent;
    }
    const failure = toFailure(error);
    report(failure, wantsJson(argv));
    return failure.exitCode;
  }
}

/** Reports an error thrown outside a command's run (e.g. loading it); resolves the exit code. */
export function reportError(error: unknown, argv: readonly string[]): ExitCode {
  const failure = toFailure(error);
  report(failure, wantsJson(argv));
  return failure.exitCode;
}

function report(failure: CliFailure, json: boolean): void {
  const error = { ...failure.json, hint: pasteable(failure.json.hint) };
  if (json) {
    process.stdout.write(`${JSON.stringify({ error })}\n`);
  } else {
    process.stderr.write(`error: ${sentences(error.message, error.hint)}\n`);
  }
}
