// Shared pieces of the KIS wire modules: case-insensitive keys and numeric strings.
import * as v from 'valibot';

/**
 * A copy of a KIS value with every object key in lower case, so schemas accept keys in either
 * case (order-rvsecncl output may be lower or upper case; `excg_id_dvsn_Cd`). When a key
 * appears in both cases, the first one wins.
 */
export function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (!Object.hasOwn(out, lower)) out[lower] = lowerKeys(inner);
  }
  return out;
}

const NUMBER_PATTERN = /^[+-]?\d+(\.\d+)?$/;

/** A KIS numeric string (`"10"`, `"70000.0000"`, padded with spaces) as a number. */
export const kisNumber = v.pipe(
  v.string(),
  v.trim(),
  v.regex(NUMBER_PATTERN, 'a KIS number'),
  v.transform(Number),
);

/** A KIS numeric string that may be empty (`""` = 0), as a number. */
export const kisNumberOrZero = v.pipe(
  v.optional(v.string(), ''),
  v.trim(),
  v.check((text) => text === '' || NUMBER_PATTERN.test(text), 'a KIS number or empty'),
  v.transform((text) => (text === '' ? 0 : Number(text))),
);

/** A KIS string that may be absent (then `""`), trimmed. */
export const kisText = v.pipe(v.optional(v.string(), ''), v.trim());

/** A non-empty KIS string, trimmed. */
export const kisRequiredText = v.pipe(v.string(), v.trim(), v.nonEmpty());

/** `YYYYMMDD`. */
export const kisDate = v.pipe(v.string(), v.trim(), v.regex(/^\d{8}$/, 'YYYYMMDD'));

/** `HHMMSS`. */
export const kisTime = v.pipe(v.string(), v.trim(), v.regex(/^\d{6}$/, 'HHMMSS'));

/** Side code: `01` sell, `02` buy. */
export const kisSide = v.pipe(
  v.string(),
  v.trim(),
  v.picklist(['01', '02']),
  v.transform((code): 'sell' | 'buy' => (code === '01' ? 'sell' : 'buy')),
);

/** Continuation keys of a paged answer (`ctx_area_fk100` / `ctx_area_nk100`). */
export const KisPageContextSchema = v.object({
  ctx_area_fk100: v.optional(v.string(), ''),
  ctx_area_nk100: v.optional(v.string(), ''),
});

/** The continuation keys in their camelCase form. */
export interface KisPageContext {
  readonly contextFk: string;
  readonly contextNk: string;
}

/** Human-readable valibot issues (paths and messages; never values, which may be large). */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = v.getDotPath(issue);
      return `${path ?? '(root)'}: ${issue.message}`;
    })
    .join('; ');
}

/** The outcome of parsing a KIS answer: data, or the issues as text. */
export type KisParseResult<T> =
  | { readonly success: true; readonly output: T }
  | { readonly success: false; readonly issues: string };

/** Parses a KIS body (keys lower-cased first) with a schema. */
export function parseKisBody<TSchema extends v.GenericSchema>(
  schema: TSchema,
  body: unknown,
): KisParseResult<v.InferOutput<TSchema>> {
  const result = v.safeParse(schema, lowerKeys(body));
  return result.success
    ? { success: true, output: result.output }
    : { success: false, issues: describeIssues(result.issues) };
}

/** The two continuation keys of a paged KIS body, in either key case. */
export function pageContextOf(body: unknown): KisPageContext {
  const result = v.safeParse(KisPageContextSchema, lowerKeys(body));
  return result.success
    ? { contextFk: result.output.ctx_area_fk100, contextNk: result.output.ctx_area_nk100 }
    : { contextFk: '', contextNk: '' };
}

/** A KIS output that is one object or an array of them (output2 varies by API). */
export function oneOrMany<TSchema extends v.GenericSchema>(schema: TSchema) {
  return v.pipe(
    v.union([v.array(schema), schema]),
    v.transform((value) => (Array.isArray(value) ? value : [value]) as v.InferOutput<TSchema>[]),
  );
}
