import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import * as v from 'valibot';
import { KisConfigError } from './errors.js';
import { REDACTED } from './redact.js';

/** Validated KIS credentials for one environment. Secrets are masked when printed. */
export interface KisCredentials {
  /** The app key (not secret, but identifies the user). */
  readonly appKey: string;
  /** The app secret. Not enumerable; masked in toString/toJSON/inspect. */
  readonly appSecret: string;
  /** CANO: the first 8 digits of the account. */
  readonly accountNumber: string;
  /** ACNT_PRDT_CD: the last 2 digits of the account. */
  readonly accountProductCode: string;
  /** The HTS id (needed for execution notices), or null. */
  readonly htsId: string | null;
  /** First 16 hex chars of sha256(appKey); keys token files without revealing the key. */
  readonly appKeyHash: string;
}

const nonBlank = (field: string) =>
  v.pipe(
    v.string(`${field} must be a string`),
    v.trim(),
    v.nonEmpty(`${field} is empty`),
    v.regex(/^\S+$/, `${field} must not contain spaces`),
    v.maxLength(512, `${field} is too long`),
  );

const CredentialsInputSchema = v.object({
  appKey: nonBlank('appKey'),
  appSecret: nonBlank('appSecret'),
  account: v.pipe(
    v.string('account must be a string'),
    v.trim(),
    v.regex(/^\d{8}-\d{2}$/, 'account must look like NNNNNNNN-NN (8 digits, dash, 2 digits)'),
  ),
  htsId: v.optional(
    v.union([
      v.undefined(),
      v.pipe(
        v.string('htsId must be a string'),
        v.trim(),
        v.regex(/^\S{0,64}$/, 'htsId must be at most 64 characters without spaces'),
      ),
    ]),
  ),
});

/** sha256 prefix (16 hex chars) of an app key. */
export function kisAppKeyHash(appKey: string): string {
  return createHash('sha256').update(appKey, 'utf8').digest('hex').slice(0, 16);
}

class Credentials implements KisCredentials {
  readonly appKey: string;
  readonly #appSecret: string;
  readonly accountNumber: string;
  readonly accountProductCode: string;
  readonly htsId: string | null;
  readonly appKeyHash: string;

  constructor(fields: {
    appKey: string;
    appSecret: string;
    accountNumber: string;
    accountProductCode: string;
    htsId: string | null;
  }) {
    this.appKey = fields.appKey;
    this.#appSecret = fields.appSecret;
    this.accountNumber = fields.accountNumber;
    this.accountProductCode = fields.accountProductCode;
    this.htsId = fields.htsId;
    this.appKeyHash = kisAppKeyHash(fields.appKey);
    Object.freeze(this);
  }

  get appSecret(): string {
    return this.#appSecret;
  }

  toJSON(): Record<string, unknown> {
    return {
      appKey: maskAppKey(this.appKey),
      appSecret: REDACTED,
      accountNumber: this.accountNumber,
      accountProductCode: this.accountProductCode,
      htsId: this.htsId,
      appKeyHash: this.appKeyHash,
    };
  }

  toString(): string {
    return `KisCredentials(${JSON.stringify(this.toJSON())})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Shows the first 4 characters of an app key only. */
function maskAppKey(appKey: string): string {
  return appKey.length <= 8 ? REDACTED : `${appKey.slice(0, 4)}…${REDACTED}`;
}

/**
 * Validates and builds credentials. Throws KisConfigError (naming the field, never echoing a
 * secret) on bad input.
 */
export function createKisCredentials(input: {
  appKey: string;
  appSecret: string;
  account: string;
  htsId?: string | undefined;
}): KisCredentials {
  const result = v.safeParse(CredentialsInputSchema, input);
  if (!result.success) {
    const issue = result.issues[0];
    const field = issue.path?.map((item) => String(item.key)).join('.') ?? 'credentials';
    throw new KisConfigError(`Invalid KIS credentials: ${issue.message}`, { field });
  }
  const { appKey, appSecret, account, htsId } = result.output;
  const [accountNumber = '', accountProductCode = ''] = account.split('-');
  return new Credentials({
    appKey,
    appSecret,
    accountNumber,
    accountProductCode,
    htsId: htsId === undefined || htsId === '' ? null : htsId,
  });
}
