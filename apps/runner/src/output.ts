// Output for people and scripts. stdout carries only the command's result; everything else
// (spinner, banners, notes, errors for people) goes to stderr.
import { createRequire } from 'node:module';
import type { ErrorJson } from './failure.js';
import { pasteable } from './invocation.js';
import { sentences, trimLines } from './text.js';

type Colors = {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  bgRed(text: string): string;
  white(text: string): string;
};

const require = createRequire(import.meta.url);

function colorsFor(enabled: boolean): Colors {
  const pc = require('picocolors') as {
    createColors(enabled?: boolean): Colors;
    isColorSupported: boolean;
  };
  return pc.createColors(enabled && pc.isColorSupported);
}

/** A spinner on stderr; a no-op unless stderr is a terminal. */
export interface Spinner {
  stop(): void;
}

/** Where and how a command writes. */
export class Output {
  readonly json: boolean;
  readonly stdoutColors: Colors;
  readonly stderrColors: Colors;
  readonly stderrIsTty: boolean;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;

  constructor(options: {
    json: boolean;
    stdout?: NodeJS.WriteStream;
    stderr?: NodeJS.WriteStream;
  }) {
    const stdout = options.stdout ?? process.stdout;
    const stderr = options.stderr ?? process.stderr;
    this.json = options.json;
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.stderrIsTty = stderr.isTTY === true;
    this.stdoutColors = colorsFor(stdout.isTTY === true);
    this.stderrColors = colorsFor(stderr.isTTY === true);
  }

  /** Writes one line of the command's result on stdout. */
  line(text = ''): void {
    this.#stdout.write(`${text}\n`);
  }

  /** Writes exactly one JSON object on stdout. */
  jsonObject(value: unknown): void {
    this.#stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A note for people on stderr (never in --json's stdout). */
  note(text: string): void {
    this.#stderr.write(`${pasteable(text)}\n`);
  }

  /** Prints a failure for people on stderr: one line, then broker message and hint. */
  error(error: ErrorJson): void {
    const c = this.stderrColors;
    if (
      error.outcome === 'not_placed' &&
      error.brokerCode === null &&
      error.brokerMessage === null
    ) {
      // Nothing was sent: ONE line saying what is wrong and how to fix it.
      this.#stderr.write(
        `${c.red('error')}: ${sentences(error.message, c.dim(pasteable(error.hint)))}\n`,
      );
      return;
    }
    const lines = [`${c.red('error')}: ${error.message}`];
    if (error.brokerCode !== null || error.brokerMessage !== null) {
      lines.push(
        `  broker: ${[
          error.brokerCode === null ? null : `[${error.brokerCode}]`,
          error.brokerMessage,
        ]
          .filter((part) => part !== null)
          .join(' ')}`,
      );
    }
    lines.push(`  code: ${error.code} (${error.outcome})`);
    lines.push(`  ${c.dim('hint:')} ${pasteable(error.hint)}`);
    this.#stderr.write(`${lines.join('\n')}\n`);
  }

  /** Renders an aligned table (cli-table3) on stdout. */
  table(
    head: readonly string[],
    rows: readonly (readonly (string | number | null)[])[],
    align?: readonly ('left' | 'right')[],
  ): void {
    const Table = require('cli-table3') as new (
      options: unknown,
    ) => { push(...rows: unknown[]): void; toString(): string };
    const c = this.stdoutColors;
    const table = new Table({
      head: head.length === 0 ? [] : head.map((h) => c.bold(h)),
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
      ...(align === undefined ? {} : { colAligns: [...align] }),
      chars: {
        top: '',
        'top-mid': '',
        'top-left': '',
        'top-right': '',
        bottom: '',
        'bottom-mid': '',
        'bottom-left': '',
        'bottom-right': '',
        left: '',
        'left-mid': '',
        mid: '',
        'mid-mid': '',
        right: '',
        'right-mid': '',
        middle: '  ',
      },
    });
    for (const row of rows) table.push(row.map((cell) => (cell === null ? '-' : String(cell))));
    let text: string;
    try {
      text = table.toString();
    } catch {
      // Never let a rendering problem hide a result: fall back to plain aligned text.
      text = [head, ...rows]
        .map((row) => row.map((cell) => (cell === null ? '-' : String(cell))).join('  '))
        .join('\n');
    }
    this.#stdout.write(`${trimLines(text)}\n`);
  }

  /**
   * Starts a spinner on stderr (terminal only; yocto-spinner, loaded on first use). It leaves
   * signals to the command (`handleSignals: false`), so Ctrl-C still closes what is open.
   */
  async spinner(text: string): Promise<Spinner> {
    if (!this.stderrIsTty) return { stop() {} };
    const { default: yoctoSpinner } = await import('yocto-spinner');
    const spinner = yoctoSpinner({
      text,
      stream: this.#stderr as NodeJS.WriteStream,
      handleSignals: false,
    }).start();
    return {
      stop() {
        spinner.stop();
      },
    };
  }
}

/** Formats KRW with thousands separators. */
export function krw(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
