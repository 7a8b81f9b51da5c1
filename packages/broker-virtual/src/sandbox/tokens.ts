// Access tokens (tokenP / revokeP) and WebSocket approval keys (Approval).
import { randomBytes, randomUUID } from 'node:crypto';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

interface TokenRecord {
  readonly appKey: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  revoked: boolean;
}

export type TokenCheck = 'ok' | 'invalid' | 'expired';

export function createTokenStore(options: {
  clock: () => number;
  issueIntervalMs: number;
  lifetimeMs: number;
  /** A token request this soon after an issuance returns the same token. */
  reuseMs: number;
}) {
  const tokens = new Map<string, TokenRecord>();
  const lastIssue = new Map<string, number>();
  /** The token last issued per app key, handed out again while it is fresh. */
  const current = new Map<string, string>();
  const approvalKeys = new Set<string>();

  return {
    /**
     * Issues a token. Within `reuseMs` of the last issuance (KIS: 6 h) the same token comes back
     * while it is neither revoked nor expired; otherwise a new one, or null when the previous
     * issuance for this app key is too recent (1 per minute).
     */
    issue(appKey: string): { token: string; expiresAt: number } | null {
      const now = options.clock();
      const last = current.get(appKey);
      const record = last === undefined ? undefined : tokens.get(last);
      if (
        last !== undefined &&
        record !== undefined &&
        !record.revoked &&
        now < record.expiresAt &&
        now - record.issuedAt < options.reuseMs
      ) {
        return { token: last, expiresAt: record.expiresAt };
      }
      const previous = lastIssue.get(appKey);
      if (previous !== undefined && now - previous < options.issueIntervalMs) return null;
      lastIssue.set(appKey, now);
      const expiresAt = now + options.lifetimeMs;
      const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS512' }));
      const payload = base64url(
        JSON.stringify({
          sub: 'token',
          aud: randomUUID(),
          prdt_cd: '',
          iss: 'qts-sandbox',
          exp: Math.floor(expiresAt / 1000),
          iat: Math.floor(now / 1000),
          jti: randomUUID(),
        }),
      );
      const token = `${header}.${payload}.${base64url(randomBytes(64))}`;
      tokens.set(token, { appKey, issuedAt: now, expiresAt, revoked: false });
      current.set(appKey, token);
      return { token, expiresAt };
    },
    check(token: string, appKey: string): TokenCheck {
      const record = tokens.get(token);
      if (record === undefined || record.revoked || record.appKey !== appKey) return 'invalid';
      if (options.clock() >= record.expiresAt) return 'expired';
      return 'ok';
    },
    /** Revokes a token of this app key; false when unknown. */
    revoke(token: string, appKey: string): boolean {
      const record = tokens.get(token);
      if (record === undefined || record.appKey !== appKey) return false;
      record.revoked = true;
      return true;
    },
    issueApprovalKey(): string {
      const key = randomUUID();
      approvalKeys.add(key);
      return key;
    },
    isApprovalKey(key: string): boolean {
      return approvalKeys.has(key);
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
