import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  createKisCredentials,
  defaultKisRatePerSecond,
  KisConfigError,
  kisConfigFromEnv,
  kisTrId,
  parseKstDateTime,
  redactSecrets,
  resolveKisEndpoints,
} from '../src/index.js';
import { CANARY_SECRET } from './helpers.js';

describe('environments', () => {
  it('default endpoints (docs/kis-protocol.md §1)', () => {
    expect(resolveKisEndpoints('real')).toEqual({
      environment: 'real',
      restBaseUrl: 'https://openapi.koreainvestment.com:9443',
      wsBaseUrl: 'ws://ops.koreainvestment.com:21000',
      host: 'openapi.koreainvestment.com:9443',
    });
    expect(resolveKisEndpoints('paper')).toEqual({
      environment: 'paper',
      restBaseUrl: 'https://openapivts.koreainvestment.com:29443',
      wsBaseUrl: 'ws://ops.koreainvestment.com:31000',
      host: 'openapivts.koreainvestment.com:29443',
    });
  });

  it('overrides replace the URLs; host follows the override', () => {
    expect(
      resolveKisEndpoints('paper', {
        restBaseUrl: 'http://127.0.0.1:4010/',
        wsBaseUrl: 'ws://127.0.0.1:4010',
      }),
    ).toEqual({
      environment: 'paper',
      restBaseUrl: 'http://127.0.0.1:4010',
      wsBaseUrl: 'ws://127.0.0.1:4010',
      host: '127.0.0.1:4010',
    });
    expect(resolveKisEndpoints('real', { restBaseUrl: 'http://localhost' }).host).toBe(
      'localhost:80',
    );
    expect(resolveKisEndpoints('real', { restBaseUrl: undefined }).restBaseUrl).toBe(
      'https://openapi.koreainvestment.com:9443',
    );
  });

  it('rejects bad environments and URLs', () => {
    expect(() => resolveKisEndpoints('demo' as 'real')).toThrow(KisConfigError);
    expect(() => resolveKisEndpoints('real', { restBaseUrl: 'ftp://x' })).toThrow(KisConfigError);
    expect(() => resolveKisEndpoints('real', { restBaseUrl: 'not a url' })).toThrow(KisConfigError);
    expect(() => resolveKisEndpoints('real', { wsBaseUrl: 'http://x' })).toThrow(KisConfigError);
  });

  it('kisTrId: paper replaces a leading T/J/C by V', () => {
    expect(kisTrId('paper', 'TTTC0012U')).toBe('VTTC0012U');
    expect(kisTrId('paper', 'CTSC9215R')).toBe('VTSC9215R');
    expect(kisTrId('paper', 'JTTT1002U')).toBe('VTTT1002U');
    expect(kisTrId('paper', 'HHDFS76200200')).toBe('HHDFS76200200');
    expect(kisTrId('real', 'TTTC0012U')).toBe('TTTC0012U');
    expect(() => kisTrId('real', 'ttt c')).toThrow(KisConfigError);
  });

  it('default rates: real 18, paper 1', () => {
    expect(defaultKisRatePerSecond('real')).toBe(18);
    expect(defaultKisRatePerSecond('paper')).toBe(1);
  });

  it('parses KST wall clock', () => {
    expect(parseKstDateTime('2026-11-26 09:00:00')).toBe(Date.UTC(2026, 10, 26, 0, 0, 0));
    expect(parseKstDateTime('2026-11-26 03:30:15')).toBe(Date.UTC(2026, 10, 25, 18, 30, 15));
    expect(parseKstDateTime('2026-11-26T09:00:00')).toBeNull();
    expect(parseKstDateTime('2026-13-26 09:00:00')).toBeNull();
  });
});

describe('credentials', () => {
  const input = {
    appKey: 'PSabcdefghijklmnopqrstuvwxyz01234567',
    appSecret: CANARY_SECRET,
    account: '50012345-01',
  };

  it('splits the account, hashes the app key, masks the secret', () => {
    const credentials = createKisCredentials({ ...input, htsId: 'tester' });
    expect(credentials).toMatchObject({
      accountNumber: '50012345',
      accountProductCode: '01',
      htsId: 'tester',
    });
    expect(credentials.appSecret).toBe(CANARY_SECRET);
    expect(credentials.appKeyHash).toMatch(/^[0-9a-f]{16}$/);
    for (const text of [
      String(credentials),
      JSON.stringify(credentials),
      inspect(credentials),
      inspect({ nested: credentials }, { depth: 5 }),
      JSON.stringify({ ...credentials }),
    ]) {
      if (text.startsWith('{"appKey":"PS')) continue; // a plain spread keeps the (non-secret) app key
      expect(text).not.toContain(CANARY_SECRET);
      expect(text).not.toContain(input.appKey);
    }
    expect(JSON.stringify(credentials)).toContain('[redacted]');
    expect(Object.keys(credentials)).not.toContain('appSecret');
    expect(createKisCredentials(input).htsId).toBeNull();
  });

  it.each([
    [{ account: '5001234501' }, 'account'],
    [{ account: '50012345-1' }, 'account'],
    [{ appKey: '' }, 'appKey'],
    [{ appSecret: ' ' }, 'appSecret'],
    [{ appSecret: 'has space inside' }, 'appSecret'],
  ])('rejects %o naming the field, never echoing the value', (bad, field) => {
    const error = (() => {
      try {
        createKisCredentials({ ...input, ...bad });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(KisConfigError);
    expect(error).toMatchObject({ code: 'KIS_CONFIG', field });
    expect(String((error as Error).message)).not.toContain('has space inside');
    expect(String((error as Error).message)).not.toContain(CANARY_SECRET);
  });
});

describe('kisConfigFromEnv', () => {
  const env = {
    QTS_KIS_APP_KEY: 'PSabcdefghijklmnopqrstuvwxyz01234567',
    QTS_KIS_APP_SECRET: CANARY_SECRET,
    QTS_KIS_ACCOUNT: '50012345-01',
    QTS_KIS_HTS_ID: 'tester',
  };

  it('reads credentials, overrides, timeout and rate', () => {
    const config = kisConfigFromEnv('paper', {
      ...env,
      QTS_KIS_BASE_URL: 'http://127.0.0.1:4010',
      QTS_KIS_WS_URL: 'ws://127.0.0.1:4010',
      QTS_KIS_TIMEOUT_MS: '5000',
      QTS_KIS_RATE_PER_SEC: '3',
    });
    expect(config.endpoints).toMatchObject({
      environment: 'paper',
      restBaseUrl: 'http://127.0.0.1:4010',
      host: '127.0.0.1:4010',
    });
    expect(config.credentials).toMatchObject({ accountNumber: '50012345', htsId: 'tester' });
    expect(config.timeoutMs).toBe(5000);
    expect(config.ratePerSecond).toBe(3);
    const defaults = kisConfigFromEnv('real', env);
    expect(defaults.endpoints.restBaseUrl).toBe('https://openapi.koreainvestment.com:9443');
    expect(defaults.timeoutMs).toBeUndefined();
    expect(defaults.ratePerSecond).toBeUndefined();
    expect(
      kisConfigFromEnv('real', { ...env, QTS_KIS_RATE_PER_SEC: 'off' }).ratePerSecond,
    ).toBeNull();
  });

  it('names the variable at fault', () => {
    expect(() => kisConfigFromEnv('paper', { ...env, QTS_KIS_APP_SECRET: '' })).toThrow(
      /QTS_KIS_APP_SECRET/,
    );
    expect(() => kisConfigFromEnv('paper', { ...env, QTS_KIS_ACCOUNT: '123' })).toThrow(
      /QTS_KIS_ACCOUNT/,
    );
    expect(() => kisConfigFromEnv('paper', { ...env, QTS_KIS_TIMEOUT_MS: 'soon' })).toThrow(
      /QTS_KIS_TIMEOUT_MS/,
    );
    expect(() => kisConfigFromEnv('paper', { ...env, QTS_KIS_RATE_PER_SEC: '-1' })).toThrow(
      /QTS_KIS_RATE_PER_SEC/,
    );
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence, longest first, ignoring empty values', () => {
    expect(
      redactSecrets('a SECRET and SECRET-LONG', ['SECRET', 'SECRET-LONG', null, undefined, '']),
    ).toBe('a [redacted] and [redacted]');
    expect(redactSecrets('nothing here', ['abc'])).toBe('nothing here');
  });
});
