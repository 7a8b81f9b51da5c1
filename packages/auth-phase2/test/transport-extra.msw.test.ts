import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  createKisAuth,
  createKisTransport,
  createMemoryTokenCache,
  KisTransportError,
  resolveKisEndpoints,
} from '../src/index.js';
import { testCredentials } from './helpers.js';
import { fakeClock, KIS, mswFetch, newTokenState, tokenHandlers } from './msw-kis.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const path = '/uapi/domestic-stock/v1/trading/inquire-psbl-order';
const call = { method: 'GET', path, trId: 'VTTC8908R', query: { PDNO: '005930' } } as const;

it('two transports of one key share one pacer (paper default 1/s)', async () => {
  const time = fakeClock();
  server.use(
    ...tokenHandlers(time.clock, newTokenState()),
    http.get(`${KIS}${path}`, () =>
      HttpResponse.json({ rt_cd: '0', msg_cd: 'KIOK0000', msg1: 'ok' }),
    ),
  );
  const endpoints = resolveKisEndpoints('paper', { restBaseUrl: KIS });
  const credentials = testCredentials({ appKey: 'PSpacerpacerpacerpacerpacerpacer0001' });
  const auth = createKisAuth({
    endpoints,
    credentials,
    tokenCache: createMemoryTokenCache(),
    clock: time.clock,
    sleep: time.sleep,
    fetch: mswFetch,
  });
  const options = {
    endpoints,
    credentials,
    auth,
    fetch: mswFetch,
    clock: time.clock,
    sleep: time.sleep,
  };
  const a = createKisTransport(options);
  const b = createKisTransport(options);
  const start = time.state.now;
  await a.request(call);
  await b.request(call);
  await a.request(call);
  expect(time.state.now - start).toBe(2_000);
  expect(time.state.slept).toEqual([1_000, 1_000]);
});

it('an abort while waiting for the token or a pacing slot is not-sent', async () => {
  // Real timers wait here, so the auth under test reads the real clock: the token server must
  // read the same clock, or it issues a token that expired before the test ran.
  const realClock = () => Date.now();
  const state = newTokenState();
  let requests = 0;
  server.use(
    ...tokenHandlers(realClock, state),
    http.get(`${KIS}${path}`, () => {
      requests += 1;
      return HttpResponse.json({ rt_cd: '0', msg_cd: 'KIOK0000', msg1: 'ok' });
    }),
  );
  const endpoints = resolveKisEndpoints('paper', { restBaseUrl: KIS });
  const credentials = testCredentials({ appKey: 'PSabortabortabortabortabortabort0001' });
  const auth = createKisAuth({
    endpoints,
    credentials,
    tokenCache: createMemoryTokenCache(),
    clock: realClock,
    fetch: mswFetch,
  });
  const transport = createKisTransport({
    endpoints,
    credentials,
    auth,
    fetch: mswFetch,
    clock: realClock,
    ratePerSecond: 1,
  });
  await transport.request(call); // token issued, first slot used
  const controller = new AbortController();
  const waiting = transport.request({ ...call, signal: controller.signal }); // waits ~1 s for its slot
  setTimeout(() => controller.abort(), 20);
  const error = await waiting.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(KisTransportError);
  expect(error).toMatchObject({ phase: 'not-sent', reason: 'aborted' });
  expect(requests).toBe(1);
  const aborted = new AbortController();
  aborted.abort();
  await expect(auth.getAccessToken({ signal: aborted.signal })).resolves.toBeTypeOf('string'); // cached: no wait
  await expect(auth.getApprovalKey({ signal: aborted.signal })).rejects.toMatchObject({
    phase: 'not-sent',
    reason: 'aborted',
  });
});
