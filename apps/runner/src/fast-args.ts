// The common command lines without commander: loading commander costs about 18 ms of CPU per
// run. `parseFast` accepts only plain forms (the commands below, known flags, the exact number
// of arguments, values that do not start with `-`) and returns null for anything else (help,
// `--`, `--flag=value`, a repeated or unknown flag, a wrong argument count or choice); those go
// through commander (program.ts), which also words every usage error. A test checks that every
// command line parseFast accepts gives commander's own arguments and options.
import type { CommandHandler, Options } from './options.js';

interface Flag {
  /** The option's key, as commander names it (`--client-order-id` -> clientOrderId). */
  readonly key: string;
  /** Whether the flag takes a value. */
  readonly value: boolean;
}

interface Spec {
  /** The command's name as commander gives it (`cmd.name()`). */
  readonly name: string;
  /** The exact number of arguments. */
  readonly args: number;
  /** Allowed values per argument (null: any). */
  readonly choices?: readonly (readonly string[] | null)[];
  readonly flags: Readonly<Record<string, Flag>>;
  readonly load: () => Promise<CommandHandler>;
}

/** The global flags, accepted before and after the command name. */
const GLOBALS: Readonly<Record<string, Flag>> = {
  '--mode': { key: 'mode', value: true },
  '--json': { key: 'json', value: false },
  '--verbose': { key: 'verbose', value: false },
  '-y': { key: 'yes', value: false },
  '--yes': { key: 'yes', value: false },
};

const PRICE = { key: 'price', value: true } as const;

/** The commands by their words (`virtual price` is two). `sandbox` has defaults: commander. */
export const COMMANDS = {
  order: {
    name: 'order',
    args: 3,
    choices: [['buy', 'sell'], null, null],
    flags: {
      '--price': PRICE,
      '--market': { key: 'market', value: false },
      '--client-order-id': { key: 'clientOrderId', value: true },
      '--force': { key: 'force', value: false },
    },
    load: async () => (await import('./commands/order.js')).orderCommand,
  },
  orders: {
    name: 'orders',
    args: 0,
    flags: { '--date': { key: 'date', value: true } },
    load: async () => (await import('./commands/orders.js')).ordersCommand,
  },
  cancel: {
    name: 'cancel',
    args: 1,
    flags: {},
    load: async () => (await import('./commands/cancel.js')).cancelCommand,
  },
  modify: {
    name: 'modify',
    args: 1,
    flags: { '--price': PRICE, '--qty': { key: 'qty', value: true } },
    load: async () => (await import('./commands/modify.js')).modifyCommand,
  },
  balance: {
    name: 'balance',
    args: 0,
    flags: { '--symbol': { key: 'symbol', value: true }, '--price': PRICE },
    load: async () => (await import('./commands/balance.js')).balanceCommand,
  },
  quote: {
    name: 'quote',
    args: 1,
    flags: {},
    load: async () => (await import('./commands/quote.js')).quoteCommand,
  },
  token: {
    name: 'token',
    args: 0,
    flags: {},
    load: async () => (await import('./commands/token.js')).tokenCommand,
  },
  watch: {
    name: 'watch',
    args: 0,
    flags: {},
    load: async () => (await import('./commands/watch.js')).watchCommand,
  },
  'virtual price': {
    name: 'price',
    args: 2,
    flags: {},
    load: async () => (await import('./commands/virtual-price.js')).virtualPriceCommand,
  },
} as const satisfies Readonly<Record<string, Spec>>;

/** A command line parsed without commander. */
export interface FastCommand {
  readonly spec: Spec;
  readonly args: readonly string[];
  readonly options: Options;
}

/** Parses a plain command line (see the top of this file), or returns null. */
export function parseFast(argv: readonly string[]): FastCommand | null {
  const options: Record<string, unknown> = {};
  const args: string[] = [];
  let spec: Spec | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] as string;
    if (spec === undefined && !token.startsWith('-')) {
      const words = token === 'virtual' ? `virtual ${argv[i + 1] ?? ''}` : token;
      spec = (COMMANDS as Readonly<Record<string, Spec>>)[words];
      if (spec === undefined) return null;
      if (token === 'virtual') i += 1;
      continue;
    }
    if (token.startsWith('-')) {
      const flag = GLOBALS[token] ?? (spec === undefined ? undefined : spec.flags[token]);
      if (flag === undefined || flag.key in options) return null;
      if (flag.value) {
        const value = argv[i + 1];
        if (value === undefined || value.startsWith('-')) return null;
        options[flag.key] = value;
        i += 1;
      } else {
        options[flag.key] = true;
      }
      continue;
    }
    args.push(token);
  }
  if (spec === undefined || args.length !== spec.args) return null;
  const choices = spec.choices ?? [];
  for (let k = 0; k < args.length; k += 1) {
    const allowed = choices[k];
    if (allowed != null && !allowed.includes(args[k] as string)) return null;
  }
  return { spec, args, options };
}

/** Runs a command parsed by parseFast, as commander's action would. Resolves the exit code. */
export async function runFast(command: FastCommand): Promise<number> {
  const { spec, args, options } = command;
  const handler = await spec.load();
  const { runCommand } = await import('./runtime.js');
  return runCommand(spec.name, options, (runtime) => handler(runtime, args, options));
}
