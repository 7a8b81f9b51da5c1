// What commander parsed for one run (the global flags and the command's own options, untyped),
// and how each command reads its own: a valibot schema of the flags it takes. Commands and
// program.ts both import this module; it imports neither.
import * as v from 'valibot';
import { type ExitCode, usageFailure } from './failure.js';
import type { Runtime } from './runtime.js';

/** The parsed global flags plus the command's own options, as commander gives them. */
export type Options = Record<string, unknown>;

/** What a command module exports. */
export type CommandHandler = (
  runtime: Runtime,
  args: readonly string[],
  options: Options,
) => Promise<ExitCode>;

/** The global flags every command takes (`--mode`, `--json`, `--verbose`, `--yes`). */
export const GlobalOptionsSchema = v.object({
  mode: v.optional(v.string()),
  json: v.optional(v.boolean()),
  verbose: v.optional(v.boolean()),
  yes: v.optional(v.boolean()),
});

/**
 * Reads a command's options with its schema (an object schema of the flags it takes; other
 * keys, such as the global flags, are ignored). Exit 2 naming the flag when one has the wrong
 * form, which commander's own checks should already prevent.
 */
export function readOptions<TSchema extends v.GenericSchema<unknown, unknown>>(
  schema: TSchema,
  options: Options,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, options);
  if (result.success) return result.output;
  const flags = result.issues
    .map((issue) => v.getDotPath(issue) ?? 'an option')
    .map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  throw usageFailure(
    `Unexpected value for ${[...new Set(flags)].join(', ')}.`,
    'See `qts <command> --help`; nothing was sent.',
  );
}
