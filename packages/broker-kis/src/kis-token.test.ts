import { KisAuthError, KisConfigError } from '@qts/auth-phase2';
import { describe, expect, it } from 'vitest';
import { ensureKisAccessToken, kisErrorToContract, readKisTokenStatus } from './kis-token.js';

const failing = (error: unknown) => ({
  getAccessToken: async (): Promise<string> => {
    throw error;
  },
  tokenStatus: async () => {
    throw error;
  },
});

describe('the access token outside the adapter', () => {
  it('resolves when a token is at hand and passes the status through', async () => {
    const status = {
      environment: 'paper' as const,
      host: '127.0.0.1:1',
      expiresAt: '2026-12-07T00:00:00.000Z',
      issuedAt: '2026-12-06T00:00:00.000Z',
      cachedAt: '2026-12-06T00:00:00.000Z',
      file: null,
    };
    await expect(ensureKisAccessToken({ getAccessToken: async () => 't' })).resolves.toBe(
      undefined,
    );
    await expect(readKisTokenStatus({ tokenStatus: async () => status })).resolves.toBe(status);
  });

  it('a refused key or secret is AUTH (exit 3 in the CLI), with KIS code and what to check', async () => {
    const refused = new KisAuthError('KIS refused /oauth2/tokenP', {
      errorCode: 'EGW00103',
      errorDescription: '유효하지 않은 AppSecret입니다. ',
      httpStatus: 403,
    });
    const error = await ensureKisAccessToken(failing(refused)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'BrokerRejectedError',
      code: 'AUTH',
      outcome: 'rejected',
      brokerCode: 'EGW00103',
      brokerMessage: '유효하지 않은 AppSecret입니다.',
    });
    expect((error as { hint: string }).hint).toContain('QTS_KIS_APP_SECRET');
    await expect(readKisTokenStatus(failing(refused))).rejects.toMatchObject({ code: 'AUTH' });
  });

  it('an unreachable token endpoint is ROUTE_UNAVAILABLE, not a rejection', async () => {
    const unreachable = new KisAuthError('connect ECONNREFUSED 127.0.0.1:9');
    const error = await ensureKisAccessToken(failing(unreachable)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'RouteUnavailableError',
      code: 'ROUTE_UNAVAILABLE',
      outcome: 'not_placed',
      brokerCode: null,
    });
    expect((error as { hint: string }).hint).toContain('Could not reach the KIS token endpoint');
  });

  it("KIS's one issuance a minute, asked or kept locally, is RATE_LIMITED", async () => {
    const asked = new KisAuthError('KIS refused /oauth2/tokenP: EGW00133', {
      errorCode: 'EGW00133',
      httpStatus: 403,
      retryAt: '2026-12-06T05:54:40.039Z',
    });
    const kept = new KisAuthError('issued less than 60 s ago', {
      retryAt: '2026-12-06T05:54:40.039Z',
    });
    for (const limited of [asked, kept]) {
      await expect(ensureKisAccessToken(failing(limited))).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        outcome: 'rejected',
      });
    }
  });

  it('a configuration auth-phase2 refuses is CONFIG; a QTS error passes through', () => {
    expect(
      kisErrorToContract(new KisConfigError('bad URL', { field: 'restBaseUrl' }), 'KIS set-up'),
    ).toMatchObject({ name: 'ConfigError', code: 'CONFIG', outcome: 'not_placed' });
    const passed = kisErrorToContract(
      kisErrorToContract(new KisConfigError('x', { field: 'account' }), 'a'),
      'b',
    );
    expect(passed.message).toBe('a: x');
  });
});
