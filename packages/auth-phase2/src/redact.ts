/** One log entry. Fields are plain data and never carry secrets. */
export type KisLogEntry = {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  [field: string]: unknown;
};

/** A logging hook. It never receives app secrets, tokens or approval keys. */
export type KisLogger = (entry: KisLogEntry) => void;

/** The text that replaces a secret. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of each secret in `text` by `[redacted]`. Empty, null and very
 * short (under 4 chars) secrets are ignored so ordinary text is not mangled.
 */
export function redactSecrets(
  text: string,
  secrets: readonly (string | null | undefined)[],
): string {
  let result = text;
  const sorted = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) {
    if (result.includes(secret)) {
      result = result.split(secret).join(REDACTED);
    }
  }
  return result;
}

function redactValue(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') {
    return redactSecrets(value, secrets);
  }
  if (value === null || typeof value !== 'object' || depth > 4) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => redactValue(item, secrets, depth + 1));
  }
  if (value instanceof Error) {
    return redactSecrets(`${value.name}: ${value.message}`, secrets);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = redactValue(item, secrets, depth + 1);
  }
  return out;
}

/**
 * Wraps a logger so that every string in an entry passes through redactSecrets with the
 * secrets known at call time. A throwing logger never breaks the caller.
 */
export function createSafeLogger(
  logger: KisLogger | undefined,
  secrets: () => readonly (string | null | undefined)[],
): KisLogger {
  if (logger === undefined) {
    return () => {};
  }
  return (entry) => {
    try {
      const known = secrets().filter((secret): secret is string => typeof secret === 'string');
      logger(redactValue(entry, known, 0) as KisLogEntry);
    } catch {
      // A logging failure must not change the outcome of a request.
    }
  };
}
