// msw handlers of a fake KIS host (never a real one) and a fake clock.
import { HttpResponse, http } from 'msw';
import { CANARY_APPROVAL, CANARY_TOKEN, kstAfter } from './helpers.js';

export const KIS = 'https://kis-paper.test:29443';
/** msw patches globalThis.fetch; look it up at call time. */
export const mswFetch = (input: Request | URL | string, init?: RequestInit) =>
  globalThis.fetch(input, init);

export function fakeClock(start = Date.UTC(2026, 10, 25, 0, 0, 0)) {
  const state = { now: start, slept: [] as number[] };
  return {
    state,
    clock: () => state.now,
    sleep: async (ms: number) => {
      state.slept.push(ms);
      state.now += ms;
    },
  };
}

export interface TokenServerState {
  issued: number;
  bodies: Record<string, unknown>[];
  mode: 'ok' | 'egw00133' | 'garbage';
  lifetimeHours: number;
}

export function tokenHandlers(clock: () => number, state: TokenServerState) {
  return [
    http.post(`${KIS}/oauth2/tokenP`, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      state.bodies.push(body);
      if (state.mode === 'egw00133') {
        return HttpResponse.json(
          {
            error_code: 'EGW00133',
            error_description: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)',
          },
          { status: 403 },
        );
      }
      if (state.mode === 'garbage') {
        return new HttpResponse('oops', { status: 200 });
      }
      state.issued += 1;
      return HttpResponse.json({
        access_token: `${CANARY_TOKEN}-${state.issued}`,
        token_type: 'Bearer',
        expires_in: 86400,
        access_token_token_expired: kstAfter(clock(), state.lifetimeHours),
      });
    }),
    http.post(`${KIS}/oauth2/revokeP`, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      state.bodies.push(body);
      return HttpResponse.json({ code: 200, message: '접근토큰 폐기에 성공하였습니다' });
    }),
    http.post(`${KIS}/oauth2/Approval`, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      state.bodies.push(body);
      return HttpResponse.json({ approval_key: CANARY_APPROVAL });
    }),
  ];
}

export function newTokenState(): TokenServerState {
  return { issued: 0, bodies: [], mode: 'ok', lifetimeHours: 24 };
}
