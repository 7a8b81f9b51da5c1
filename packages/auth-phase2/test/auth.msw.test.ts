import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createFileTokenCache,
  createKisAuth,
  createMemoryTokenCache,
  KisAuthError,
  type KisAuthOptions,
  resolveKisEndpoints,
  type TokenCache,
} from '../src/index.js';
import {
  CANARY_APPROVAL,
  CANARY_SECRET,
  CANARY_TOKEN,
  closedPort,
  testCredentials,
} from './helpers.js';
import { fakeClock, KIS, mswFetch, newTokenState, tokenHandlers } from './msw-kis.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const endpoints = resolveKisEndpoints('paper', { restBaseUrl: KIS });

function setup(extra: Partial<KisAuthOptions> = {}, cache: TokenCache = createMemoryTokenCache()) {
  const time = fakeClock();
  const state = newTokenState();
  server.use(...tokenHandlers(time.clock, state));
  const credentials = testCredentials();
  const options: KisAuthOptions = {
    endpoints,
    credentials,
    tokenCache: cache,
    clock: time.clock,
    sleep: time.sleep,
    fetch: mswFetch,
    ...extra,
  };
  return { time, state, auth: createKisAuth(options), options, cache };
}

describe('POST /oauth2/tokenP', () => {
  it('issues once, sends grant_type/appkey/appsecret, caches, expiry from access_token_token_expired (KST)', async () => {
    const { auth, state, time } = setup();
    const token = await auth.getAccessToken();
    expect(token).toBe(`${CANARY_TOKEN}-1`);
    expect(await auth.getAccessToken()).toBe(token);
    expect(state.issued).toBe(1);
    expect(state.bodies[0]).toEqual({
      grant_type: 'client_credentials',
      appkey: 'PSabcdefghijklmnopqrstuvwxyz01234567',
      appsecret: CANARY_SECRET,
    });
    const status = await auth.tokenStatus();
    expect(status).toEqual({
      environment: 'paper',
      host: 'kis-paper.test:29443',
      expiresAt: new Date(time.state.now + 24 * 3_600_000).toISOString(),
      issuedAt: new Date(time.state.now).toISOString(),
      cachedAt: new Date(time.state.now).toISOString(),
      file: null,
    });
    expect(JSON.stringify(status)).not.toContain(CANARY_TOKEN);
  });

  it('concurrent callers share one issuance (single flight)', async () => {
    const { auth, state } = setup();
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => auth.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(state.issued).toBe(1);
  });

  it('refreshes before expiry (margin), not after', async () => {
    const { auth, state, time } = setup({ refreshMarginMs: 10 * 60_000 });
    await auth.getAccessToken();
    time.state.now += 23 * 3_600_000; // 1 h left
    expect(await auth.getAccessToken()).toBe(`${CANARY_TOKEN}-1`);
    time.state.now += 55 * 60_000; // 5 min left: inside the margin
    expect(await auth.getAccessToken()).toBe(`${CANARY_TOKEN}-2`);
    expect(state.issued).toBe(2);
  });

  it('EGW00133 error shape -> KisAuthError with errorCode, description, retryAt', async () => {
    const { auth, state, time } = setup();
    state.mode = 'egw00133';
    const error = await auth.getAccessToken().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KisAuthError);
    expect(error).toMatchObject({
      code: 'KIS_AUTH',
      errorCode: 'EGW00133',
      errorDescription: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)',
      httpStatus: 403,
      retryAt: new Date(time.state.now + 60_000).toISOString(),
    });
  });

  it('a body without a token -> KisAuthError', async () => {
    const { auth, state } = setup();
    state.mode = 'garbage';
    await expect(auth.getAccessToken()).rejects.toMatchObject({
      name: 'KisAuthError',
      httpStatus: 200,
      errorCode: null,
    });
  });

  it('second issuance inside the minute waits (default) ...', async () => {
    const { auth, state, time, cache } = setup();
    const first = await auth.getAccessToken();
    await auth.invalidateToken(first); // e.g. EGW00121
    time.state.now += 10_000;
    const second = await auth.getAccessToken();
    expect(second).toBe(`${CANARY_TOKEN}-2`);
    expect(time.state.slept).toEqual([50_000]);
    expect(state.issued).toBe(2);
    expect(
      await cache.get({
        environment: 'paper',
        host: endpoints.host,
        appKeyHash: testCredentials().appKeyHash,
      }),
    ).toMatchObject({
      lastIssuedAt: time.state.now,
    });
  });

  it("... or fails with a retry time (issuance 'fail')", async () => {
    const { auth, state, time } = setup({ issuance: 'fail' });
    const first = await auth.getAccessToken();
    await auth.invalidateToken(first);
    time.state.now += 15_000;
    const error = await auth.getAccessToken().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KisAuthError);
    const retryAt = new Date(time.state.now + 45_000).toISOString();
    expect(error).toMatchObject({ retryAt });
    expect((error as Error).message).toContain(`retry after ${retryAt}`);
    expect(state.issued).toBe(1);
  });

  it('inside the minute a still-valid older token is used instead of waiting', async () => {
    const { auth, state, time } = setup({ refreshMarginMs: 30 * 60_000 });
    state.lifetimeHours = 0.4; // 24 min: already inside the 30 min margin
    await auth.getAccessToken();
    time.state.now += 5_000;
    expect(await auth.getAccessToken()).toBe(`${CANARY_TOKEN}-1`);
    expect(time.state.slept).toEqual([]);
  });

  it('the last issuance time is remembered on disk across instances', async () => {
    const home = process.env.QTS_HOME as string;
    const first = setup({ issuance: 'fail' }, createFileTokenCache({ home }));
    const token = await first.auth.getAccessToken();
    await first.auth.invalidateToken(token);
    const again = createKisAuth({ ...first.options, tokenCache: createFileTokenCache({ home }) });
    await expect(again.getAccessToken()).rejects.toMatchObject({
      name: 'KisAuthError',
      retryAt: expect.any(String),
    });
    // A token in the file is reused by a new instance without issuing.
    first.time.state.now += 61_000;
    const fresh = await again.getAccessToken();
    const third = createKisAuth({ ...first.options, tokenCache: createFileTokenCache({ home }) });
    expect(await third.getAccessToken()).toBe(fresh);
    expect(first.state.issued).toBe(2);
    expect((await third.tokenStatus())?.file).toMatch(
      /tokens\/paper-kis-paper\.test_29443-[0-9a-f]{16}\.json$/,
    );
  });

  it('a usable token in the cache is read without taking the lock (parallel processes do not queue on it)', async () => {
    const home = process.env.QTS_HOME as string;
    const first = setup({}, createFileTokenCache({ home }));
    const token = await first.auth.getAccessToken();
    const file = createFileTokenCache({ home });
    let locks = 0;
    const counting: TokenCache = {
      ...file,
      withLock: (key, work) => {
        locks += 1;
        return file.withLock(key, work);
      },
    };
    const second = createKisAuth({ ...first.options, tokenCache: counting });
    expect(await second.getAccessToken()).toBe(token);
    expect(locks).toBe(0);
    // an expired token is still decided under the lock (and issued once)
    first.time.state.now += 25 * 3_600_000;
    const third = createKisAuth({ ...first.options, tokenCache: counting });
    expect(await third.getAccessToken()).not.toBe(token);
    expect(locks).toBe(1);
  });

  it('the token endpoint unreachable -> KisAuthError and the issuance is not counted', async () => {
    const time = fakeClock();
    const cache = createMemoryTokenCache();
    const auth = createKisAuth({
      endpoints: resolveKisEndpoints('paper', {
        restBaseUrl: `http://127.0.0.1:${await closedPort()}`,
      }),
      credentials: testCredentials(),
      tokenCache: cache,
      clock: time.clock,
      sleep: time.sleep,
      issuance: 'fail',
    });
    const error = await auth.getAccessToken().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KisAuthError);
    expect((error as Error).message).toMatch(/not sent/);
    // Not counted: a second try does not hit the one-a-minute rule.
    const again = await auth.getAccessToken().catch((caught: unknown) => caught);
    expect((again as KisAuthError).retryAt).toBeNull();
  });
});

describe('POST /oauth2/revokeP', () => {
  it('sends appkey/appsecret/token, accepts a numeric code, drops the token', async () => {
    const { auth, state } = setup();
    const token = await auth.getAccessToken();
    await auth.revokeToken();
    expect(state.bodies.at(-1)).toEqual({
      appkey: 'PSabcdefghijklmnopqrstuvwxyz01234567',
      appsecret: CANARY_SECRET,
      token,
    });
    expect(await auth.tokenStatus()).toBeNull();
  });

  it('no token: nothing to revoke, nothing sent', async () => {
    const { auth, state } = setup();
    await auth.revokeToken();
    expect(state.bodies).toEqual([]);
  });

  it('refusal in the token error shape -> KisAuthError', async () => {
    const { auth } = setup();
    await auth.getAccessToken();
    server.use(
      http.post(`${KIS}/oauth2/revokeP`, () =>
        HttpResponse.json(
          { error_code: 'EGW00002', error_description: 'bad token' },
          { status: 403 },
        ),
      ),
    );
    await expect(auth.revokeToken()).rejects.toMatchObject({
      name: 'KisAuthError',
      errorCode: 'EGW00002',
    });
    expect(await auth.tokenStatus()).not.toBeNull();
  });
});

describe('POST /oauth2/Approval', () => {
  it('sends grant_type/appkey/secretkey (not appsecret) and caches the key', async () => {
    const { auth, state } = setup();
    expect(await auth.getApprovalKey()).toBe(CANARY_APPROVAL);
    expect(await auth.getApprovalKey()).toBe(CANARY_APPROVAL);
    const approvals = state.bodies.filter((body) => 'secretkey' in body);
    expect(approvals).toEqual([
      {
        grant_type: 'client_credentials',
        appkey: 'PSabcdefghijklmnopqrstuvwxyz01234567',
        secretkey: CANARY_SECRET,
      },
    ]);
    expect(state.bodies.some((body) => 'appsecret' in body)).toBe(false);
  });

  it('is shared through the file cache', async () => {
    const home = process.env.QTS_HOME as string;
    const first = setup({}, createFileTokenCache({ home }));
    await first.auth.getApprovalKey();
    const second = createKisAuth({ ...first.options, tokenCache: createFileTokenCache({ home }) });
    expect(await second.getApprovalKey()).toBe(CANARY_APPROVAL);
    expect(first.state.bodies.length).toBe(1);
  });

  it('refusal -> KisAuthError', async () => {
    const { auth } = setup();
    server.use(
      http.post(`${KIS}/oauth2/Approval`, () =>
        HttpResponse.json(
          { error_code: 'EGW00105', error_description: 'invalid appkey' },
          { status: 403 },
        ),
      ),
    );
    await expect(auth.getApprovalKey()).rejects.toMatchObject({
      name: 'KisAuthError',
      errorCode: 'EGW00105',
    });
  });
});
