// KIS wire shapes of the OAuth endpoints and the REST envelope (docs/kis-protocol.md §2, §3).
import * as v from 'valibot';

/** `POST /oauth2/tokenP` success body. */
export const TokenResponseSchema = v.object({
  access_token: v.pipe(v.string(), v.nonEmpty()),
  token_type: v.optional(v.string()),
  expires_in: v.optional(v.number()),
  access_token_token_expired: v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)),
});

/** The token endpoints' own error body: `{ error_code, error_description }`. */
export const TokenErrorSchema = v.object({
  error_code: v.string(),
  error_description: v.optional(v.string()),
});

/** `POST /oauth2/revokeP` body: `code` is a number (e.g. 200). */
export const RevokeResponseSchema = v.object({
  code: v.union([v.number(), v.string()]),
  message: v.optional(v.string()),
});

/** `POST /oauth2/Approval` success body. */
export const ApprovalResponseSchema = v.object({
  approval_key: v.pipe(v.string(), v.nonEmpty()),
});

/** The KIS response envelope (rt_cd, msg_cd, msg1 plus outputs). Extra keys are kept. */
export const EnvelopeSchema = v.looseObject({
  rt_cd: v.string(),
  msg_cd: v.optional(v.string()),
  msg1: v.optional(v.string()),
});

/** Parses a body as JSON; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Converts a KIS wall-clock time `YYYY-MM-DD HH:MM:SS` (Asia/Seoul, UTC+9, no DST) to epoch
 * milliseconds. Returns null when malformed.
 */
export function parseKstDateTime(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (match === null) {
    return null;
  }
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    return null;
  }
  return Date.UTC(y, mo - 1, d, h - 9, mi, s);
}
