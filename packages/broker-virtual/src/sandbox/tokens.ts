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
}) {
  const tokens = new Map<string, TokenRecord>();
  const lastIssue = new Map<string, number>();
  const approvalKeys = new Set<string>();

  return {
    /** Issues a token, or null when the previous issuance for this app key is too recent. */
    issue(appKey: string): { token: string; expiresAt: number } | null {
      const now = options.clock();
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
