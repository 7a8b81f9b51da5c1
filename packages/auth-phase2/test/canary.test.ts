// A canary app secret, token and approval key never appear in any log entry or in any error's
// message, stack, JSON or inspect output, across every path including failures.
import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  createFileTokenCache,
  createKisAuth,
  createKisCredentials,
  createKisTransport,
  type KisLogEntry,
  kisConfigFromEnv,
  resolveKisEndpoints,
} from '../src/index.js';
import {
  CANARY_APPROVAL,
  CANARY_SECRET,
  CANARY_TOKEN,
  closedPort,
  fakeAuth,
  startHttpServer,
  testCredentials,
} from './helpers.js';
import { fakeClock, KIS, mswFetch, newTokenState, tokenHandlers } from './msw-kis.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const CANARIES = [
  CANARY_SECRET,
  CANARY_TOKEN,
  CANARY_APPROVAL,
  'TOKEN-CANARY',
  'SECRET-CANARY',
  'APPROVAL-CANARY',
];

it('no canary in any log entry or error, on every path', async () => {
  const entries: KisLogEntry[] = [];
  const errors: unknown[] = [];
  const logger = (entry: KisLogEntry) => entries.push(entry);
  const capture = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      errors.push(error);
    }
  };
  const time = fakeClock();
  const state = newTokenState();
  server.use(...tokenHandlers(time.clock, state));
  const endpoints = resolveKisEndpoints('paper', { restBaseUrl: KIS });
  const credentials = testCredentials();
  const auth = createKisAuth({
    endpoints,
    credentials,
    tokenCache: createFileTokenCache({ home: process.env.QTS_HOME as string }),
    clock: time.clock,
    sleep: time.sleep,
    fetch: mswFetch,
    logger,
  });
  const transport = createKisTransport({
    endpoints,
    credentials,
    auth,
    fetch: mswFetch,
    ratePerSecond: null,
    logger,
  });
  const path = '/uapi/domestic-stock/v1/trading/order-cash';
  const order = { method: 'POST', path, trId: 'VTTC0012U', body: { PDNO: '005930' } } as const;
  const answers = [
    HttpResponse.json({ rt_cd: '0', msg_cd: 'APBK0013', msg1: 'ok', output: { ODNO: '1' } }),
    HttpResponse.json({ rt_cd: '7', msg_cd: 'APBK0952', msg1: 'no money' }),
    HttpResponse.json({ rt_cd: '1', msg_cd: 'EGW00201', msg1: 'rate' }, { status: 500 }),
    new HttpResponse('boom', { status: 500 }),
    HttpResponse.json({ nothing: true }),
    HttpResponse.json({ rt_cd: '1', msg_cd: 'EGW00123', msg1: 'expired' }, { status: 500 }),
  ];
  let call = 0;
  server.use(
    http.post(`${KIS}${path}`, () => answers[call++] ?? HttpResponse.json({ rt_cd: '0' })),
  );
  for (let i = 0; i < answers.length; i += 1) {
    await capture(() => transport.request(order));
  }
  await capture(() => auth.getApprovalKey());
  await capture(() => auth.tokenStatus());
  // A refused issuance inside the minute ('fail'), then EGW00133 from the server.
  const failing = createKisAuth({
    endpoints,
    credentials,
    tokenCache: createFileTokenCache({ home: process.env.QTS_HOME as string }),
    clock: time.clock,
    sleep: time.sleep,
    fetch: mswFetch,
    logger,
    issuance: 'fail',
  });
  await capture(() => failing.getAccessToken());
  time.state.now += 61_000;
  state.mode = 'egw00133';
  await capture(() => failing.getAccessToken());
  state.mode = 'ok';
  await capture(() => auth.getAccessToken());
  // A hostile token endpoint echoing the secret and token back in its error description.
  server.use(
    http.post(`${KIS}/oauth2/revokeP`, () =>
      HttpResponse.json(
        { error_code: 'EGW00002', error_description: `bad ${CANARY_SECRET} ${CANARY_TOKEN}-2` },
        { status: 403 },
      ),
    ),
    http.post(`${KIS}/oauth2/Approval`, () =>
      HttpResponse.json(
        { error_code: 'EGW00105', error_description: `bad ${CANARY_SECRET}` },
        { status: 403 },
      ),
    ),
  );
  await capture(() => auth.revokeToken());
  server.resetHandlers();
  server.use(...tokenHandlers(time.clock, state));
  await capture(() => auth.revokeToken());
  time.state.now += 13 * 3_600_000;
  server.use(
    http.post(`${KIS}/oauth2/Approval`, () =>
      HttpResponse.json(
        { error_code: 'EGW00105', error_description: `bad ${CANARY_SECRET}` },
        { status: 403 },
      ),
    ),
  );
  await capture(() =>
    createKisAuth({
      endpoints,
      credentials,
      tokenCache: createFileTokenCache({ home: process.env.QTS_HOME as string }),
      clock: time.clock,
      fetch: mswFetch,
      logger,
    }).getApprovalKey(),
  );
  // Real sockets: refused, reset, stall; token endpoint unreachable.
  const port = await closedPort();
  const unreachable = resolveKisEndpoints('paper', { restBaseUrl: `http://127.0.0.1:${port}` });
  const realAuth = fakeAuth();
  await capture(() =>
    createKisTransport({
      endpoints: unreachable,
      credentials,
      auth: realAuth,
      ratePerSecond: null,
      logger,
    }).request(order),
  );
  await capture(() =>
    createKisAuth({
      endpoints: unreachable,
      credentials,
      tokenCache: createFileTokenCache({ home: process.env.QTS_HOME as string }),
      logger,
    }).getAccessToken(),
  );
  const reset = await startHttpServer((req) => req.socket.destroy());
  const resetEndpoints = resolveKisEndpoints('paper', { restBaseUrl: reset.url });
  await capture(() =>
    createKisTransport({
      endpoints: resetEndpoints,
      credentials,
      auth: realAuth,
      ratePerSecond: null,
      logger,
    }).request(order),
  );
  const stall = await startHttpServer(() => {});
  await capture(() =>
    createKisTransport({
      endpoints: resolveKisEndpoints('paper', { restBaseUrl: stall.url }),
      credentials,
      auth: realAuth,
      ratePerSecond: null,
      logger,
      timeoutMs: 200,
    }).request(order),
  );
  await reset.close();
  await stall.close();
  // Configuration errors with secret-looking input.
  await capture(async () =>
    createKisCredentials({ appKey: 'k', appSecret: `${CANARY_SECRET} x`, account: '1' }),
  );
  await capture(async () =>
    kisConfigFromEnv('paper', {
      QTS_KIS_APP_KEY: 'k',
      QTS_KIS_APP_SECRET: `${CANARY_SECRET} x`,
      QTS_KIS_ACCOUNT: '50012345-01',
    }),
  );

  expect(entries.length).toBeGreaterThan(15);
  expect(errors.length).toBeGreaterThan(10);
  const texts: string[] = [JSON.stringify(entries), inspect(entries, { depth: 10 })];
  for (const error of errors) {
    const e = error as Error;
    texts.push(
      String(e.message),
      String(e.stack),
      JSON.stringify(e),
      inspect(e, { depth: 10 }),
      String(e),
    );
  }
  texts.push(inspect(credentials), JSON.stringify(credentials), String(credentials));
  const leaks = texts.filter((text) => CANARIES.some((canary) => text.includes(canary)));
  expect(leaks).toEqual([]);
  // The hostile endpoint's echo was redacted, not dropped.
  expect(
    errors.some((error) => String((error as Error).message).includes('bad [redacted] [redacted]')),
  ).toBe(true);
  // The run really exercised the secrets: they did reach KIS (msw) and the cache file.
  expect(state.bodies.some((body) => body.appsecret === CANARY_SECRET)).toBe(true);
});
