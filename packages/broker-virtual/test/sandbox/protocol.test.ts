// KIS wire behaviour of the sandbox over a fake exchange: tokens, request checks, headers.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSandboxServer, startSandboxServer } from '../../src/sandbox/server.js';
import { createFakeExchange, type FakeExchange } from './fake-exchange.js';
import {
  account,
  dailyCcldQuery,
  issueToken,
  kisGet,
  kisPost,
  orderBody,
  placeOrder,
  postJson,
  TRADING,
} from './helpers.js';

const open: RunningSandboxServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function start(
  options: Parameters<typeof startSandboxServer>[1] = {},
  exchange: FakeExchange = createFakeExchange(options.clock ?? Date.now),
) {
  const sb = await startSandboxServer(exchange, {
    environment: 'paper',
    rateLimitPerSecond: null,
    ...options,
  });
  open.push(sb);
  return { sb, exchange };
}

describe('credentials', () => {
  it('generates KIS-shaped credentials and binds 127.0.0.1', async () => {
    const { sb } = await start({ environment: 'real' });
    expect(sb.credentials.appKey).toHaveLength(36);
    expect(sb.credentials.appSecret).toHaveLength(180);
    expect(sb.credentials.account).toMatch(/^\d{8}-\d{2}$/);
    expect(sb.credentials.htsId.length).toBeGreaterThan(0);
    expect(sb.baseUrl).toBe(`http://127.0.0.1:${sb.port}`);
    expect(sb.wsUrl).toBe(`ws://127.0.0.1:${sb.port}`);
    expect(sb.port).toBeGreaterThan(0);
  });
});

describe('token endpoints', () => {
  it('issues a token with a KST expiry, returns the same token within 6 h and refuses a new one inside the 1-minute interval (EGW00133)', async () => {
    const now = Date.UTC(2026, 0, 5, 0, 0, 0); // 09:00:00 KST
    let clock = now;
    const { sb } = await start({ clock: () => clock, tokenIssueIntervalMs: 60_000 });
    const ask = () =>
      postJson(sb, '/oauth2/tokenP', {
        grant_type: 'client_credentials',
        appkey: sb.credentials.appKey,
        appsecret: sb.credentials.appSecret,
      });
    const first = await ask();
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(first.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 86400,
      access_token_token_expired: '2026-01-06 09:00:00',
    });
    // Within 6 h: the same token and expiry, also inside the 1-minute issuance interval.
    const again = await ask();
    expect(again.status).toBe(200);
    expect(again.body.access_token).toBe(first.body.access_token);
    expect(again.body.access_token_token_expired).toBe('2026-01-06 09:00:00');
    clock += 5 * 60 * 60 * 1000;
    expect((await ask()).body.access_token).toBe(first.body.access_token);
    // After 6 h a new token is issued.
    clock += 60 * 60 * 1000;
    const fresh = await ask();
    expect(fresh.status).toBe(200);
    expect(fresh.body.access_token).not.toBe(first.body.access_token);
    // Revoked: a new issuance, which the 1-per-minute rule refuses right after the last one.
    await postJson(sb, '/oauth2/revokeP', {
      appkey: sb.credentials.appKey,
      appsecret: sb.credentials.appSecret,
      token: fresh.body.access_token,
    });
    const tooSoon = await ask();
    expect(tooSoon.status).toBe(403);
    expect(tooSoon.body).toEqual({
      error_code: 'EGW00133',
      error_description: '접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)',
    });
    clock += 60_000;
    const third = await ask();
    expect(third.status).toBe(200);
    expect(third.body.access_token).not.toBe(fresh.body.access_token);
  });

  it('refuses a wrong app secret in the token error shape', async () => {
    const { sb } = await start();
    const reply = await postJson(sb, '/oauth2/tokenP', {
      grant_type: 'client_credentials',
      appkey: sb.credentials.appKey,
      appsecret: 'nope',
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toHaveProperty('error_code');
    expect(JSON.stringify(reply.body)).not.toContain(sb.credentials.appSecret);
  });

  it('revokes a token (numeric code) and the token then fails with EGW00121', async () => {
    const { sb } = await start({ tokenIssueIntervalMs: 0 });
    const token = await issueToken(sb);
    const revoked = await postJson(sb, '/oauth2/revokeP', {
      appkey: sb.credentials.appKey,
      appsecret: sb.credentials.appSecret,
      token,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.code).toBe(200);
    expect(typeof revoked.body.message).toBe('string');
    const after = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'VTTC0081R',
      dailyCcldQuery(sb, '20260105'),
    );
    expect(after.status).toBe(500);
    expect(after.body).toMatchObject({ rt_cd: '1', msg_cd: 'EGW00121' });
  });

  it('issues an approval key for `secretkey` and refuses `appsecret` in its place', async () => {
    const { sb } = await start();
    const ok = await postJson(sb, '/oauth2/Approval', {
      grant_type: 'client_credentials',
      appkey: sb.credentials.appKey,
      secretkey: sb.credentials.appSecret,
    });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.approval_key).toBe('string');
    const wrong = await postJson(sb, '/oauth2/Approval', {
      grant_type: 'client_credentials',
      appkey: sb.credentials.appKey,
      appsecret: sb.credentials.appSecret,
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toHaveProperty('error_code');
  });
});

describe('hashkey', () => {
  it('answers HASH for the body (optional endpoint, no token needed)', async () => {
    const { sb } = await start();
    const response = await fetch(`${sb.baseUrl}/uapi/hashkey`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        appkey: sb.credentials.appKey,
        appsecret: sb.credentials.appSecret,
      },
      body: JSON.stringify({ CANO: '1' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(typeof body.HASH).toBe('string');
  });
});

describe('request checks', () => {
  it('answers an expired token with EGW00123 (HTTP 500)', async () => {
    let clock = Date.UTC(2026, 0, 5, 1);
    const { sb } = await start({ clock: () => clock, tokenLifetimeMs: 1_000 });
    const token = await issueToken(sb);
    clock += 1_000;
    const reply = await kisGet(
      sb,
      token,
      `${TRADING}/inquire-daily-ccld`,
      'VTTC0081R',
      dailyCcldQuery(sb, '20260105'),
    );
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ rt_cd: '1', msg_cd: 'EGW00123' });
  });

  it('answers a missing or unknown bearer token with EGW00121', async () => {
    const { sb } = await start();
    const reply = await kisGet(sb, 'garbage', `${TRADING}/inquire-balance`, 'VTTC8434R', {});
    expect(reply.status).toBe(500);
    expect(reply.body.msg_cd).toBe('EGW00121');
  });

  it('refuses a wrong appkey or appsecret header', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    const body = orderBody(sb, { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' });
    const badKey = await kisPost(sb, token, `${TRADING}/order-cash`, 'VTTC0012U', body, {
      appkey: 'x',
    });
    expect(badKey.status).toBe(500);
    expect(badKey.body.rt_cd).toBe('1');
    const badSecret = await kisPost(sb, token, `${TRADING}/order-cash`, 'VTTC0012U', body, {
      appsecret: 'x',
    });
    expect(badSecret.status).toBe(500);
    expect(badSecret.body.rt_cd).toBe('1');
  });

  it('real host: a paper TR gets EGW02005; paper host: a real TR gets EGW02006', async () => {
    const { sb: real } = await start({ environment: 'real' });
    const realToken = await issueToken(real);
    const onReal = await kisPost(
      real,
      realToken,
      `${TRADING}/order-cash`,
      'VTTC0012U',
      orderBody(real, { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' }),
    );
    expect(onReal.status).toBe(500);
    expect(onReal.body).toMatchObject({ rt_cd: '1', msg_cd: 'EGW02005' });
    expect(onReal.headers.get('tr_id')).toBe('VTTC0012U');

    const { sb: paper } = await start({ environment: 'paper' });
    const paperToken = await issueToken(paper);
    const onPaper = await kisPost(
      paper,
      paperToken,
      `${TRADING}/order-cash`,
      'TTTC0012U',
      orderBody(paper, { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' }),
    );
    expect(onPaper.status).toBe(500);
    expect(onPaper.body).toMatchObject({ rt_cd: '1', msg_cd: 'EGW02006' });
  });

  it('a TR of another endpoint or an unknown path gets OPSQ0002', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    const wrongTr = await kisPost(
      sb,
      token,
      `${TRADING}/order-cash`,
      'VTTC8434R',
      orderBody(sb, { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' }),
    );
    expect(wrongTr.body.msg_cd).toBe('OPSQ0002');
    const unknown = await kisGet(
      sb,
      token,
      '/uapi/domestic-stock/v1/trading/nope',
      'VTTC8434R',
      {},
    );
    expect(unknown.status).toBe(500);
    expect(unknown.body.msg_cd).toBe('OPSQ0002');
  });

  it('inquire-psbl-rvsecncl on paper answers like an unsupported TR (EGW02006, HTTP 500)', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    for (const trId of ['VTTC0084R', 'TTTC0084R']) {
      const reply = await kisGet(sb, token, `${TRADING}/inquire-psbl-rvsecncl`, trId, {
        ...account(sb),
        INQR_DVSN_1: '0',
        INQR_DVSN_2: '0',
        CTX_AREA_FK100: '',
        CTX_AREA_NK100: '',
      });
      expect(reply.status).toBe(500);
      expect(reply.body).toMatchObject({ rt_cd: '1', msg_cd: 'EGW02006' });
    }
  });

  it('refuses non-string values, a missing field and another account; takes lower-case keys and no custtype', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    const path = `${TRADING}/order-cash`;
    const base = orderBody(sb, { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' });

    const conflicting = await kisPost(sb, token, path, 'VTTC0012U', { ...base, pdno: '000660' });
    expect(conflicting.body).toMatchObject({ rt_cd: '1', msg_cd: 'OPSQ2001' });
    expect(String(conflicting.body.msg1)).toContain('pdno');

    const numeric = await kisPost(sb, token, path, 'VTTC0012U', { ...base, ORD_QTY: 1 });
    expect(numeric.body.rt_cd).toBe('1');
    expect(String(numeric.body.msg1)).toContain('ORD_QTY');

    const { ORD_UNPR: _omit, ...missing } = base;
    const missingReply = await kisPost(sb, token, path, 'VTTC0012U', missing);
    expect(missingReply.body).toMatchObject({ msg_cd: 'OPSQ2001' });
    expect(String(missingReply.body.msg1)).toContain('ORD_UNPR');

    const otherAccount = await kisPost(sb, token, path, 'VTTC0012U', { ...base, CANO: '99999999' });
    expect(otherAccount.status).toBe(200);
    expect(otherAccount.body.rt_cd).not.toBe('0');

    expect(exchange.all()).toHaveLength(0);

    // Permissive where real KIS is: lower-case keys and no custtype header are accepted.
    const { PDNO: _pdno, ...rest } = base;
    const lower = await kisPost(sb, token, path, 'VTTC0012U', { ...rest, pdno: '005930' });
    expect(lower.body).toMatchObject({ rt_cd: '0' });
    const noCustType = await kisPost(sb, token, path, 'VTTC0012U', base, { custtype: undefined });
    expect(noCustType.body).toMatchObject({ rt_cd: '0' });
    expect(exchange.all()).toHaveLength(2);
  });

  it('refuses a non-JSON content type and a body that is not a JSON object', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    const url = `${sb.baseUrl}${TRADING}/order-cash`;
    const headers = {
      authorization: `Bearer ${token}`,
      appkey: sb.credentials.appKey,
      appsecret: sb.credentials.appSecret,
      tr_id: 'VTTC0012U',
      custtype: 'P',
    };
    const form = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'CANO=1',
    });
    expect(form.status).toBe(500);
    expect(((await form.json()) as Record<string, unknown>).rt_cd).toBe('1');
    for (const body of ['{not json', '["CANO"]']) {
      const bad = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      expect(bad.status).toBe(500);
      expect(((await bad.json()) as Record<string, unknown>).rt_cd).toBe('1');
    }
  });

  it('rate limit: EGW00201 once more requests than allowed arrive within a second', async () => {
    const clock = Date.UTC(2026, 0, 5, 1);
    const { sb } = await start({ clock: () => clock, rateLimitPerSecond: 2 });
    const token = await issueToken(sb);
    const query = dailyCcldQuery(sb, '20260105');
    const replies = [];
    for (let i = 0; i < 3; i += 1) {
      replies.push(await kisGet(sb, token, `${TRADING}/inquire-daily-ccld`, 'VTTC0081R', query));
    }
    expect(replies.map((r) => r.body.rt_cd)).toEqual(['0', '0', '1']);
    expect(replies[2]?.status).toBe(500);
    expect(replies[2]?.body).toMatchObject({
      msg_cd: 'EGW00201',
      msg1: '초당 거래건수를 초과하였습니다.',
    });
  });
});

describe('response headers', () => {
  it('sends Content-Type capitalised and tr_id/tr_cont/gt_uid lower case on the wire', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    const query = new URLSearchParams(dailyCcldQuery(sb, '20260105')).toString();
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(sb.port, '127.0.0.1', () => {
        socket.write(
          `GET ${TRADING}/inquire-daily-ccld?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
            `authorization: Bearer ${token}\r\nappkey: ${sb.credentials.appKey}\r\n` +
            `appsecret: ${sb.credentials.appSecret}\r\ntr_id: VTTC0081R\r\nConnection: close\r\n\r\n`,
        );
      });
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    const head = raw.split('\r\n\r\n')[0] ?? '';
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toContain('\r\nContent-Type: application/json; charset=UTF-8\r\n');
    expect(head).toMatch(/\r\ntr_id: VTTC0081R\r\n/);
    expect(head).toMatch(/\r\ntr_cont: [DE]\r\n/);
    expect(head).toMatch(/\r\ngt_uid: [0-9a-f]+\r\n/);
    expect(head).not.toMatch(/\r\ncontent-type:/);
    // the official Python client turns every all-lower-case header name into an identifier
    const lowerCaseNames = head
      .split('\r\n')
      .slice(1)
      .map((line) => line.slice(0, line.indexOf(':')))
      .filter((name) => name === name.toLowerCase());
    expect(lowerCaseNames.sort()).toEqual(['gt_uid', 'tr_cont', 'tr_id']);
  });
});

describe('orders on the fake exchange', () => {
  it('paper order-cash answers 40600000 with KRX_FWDG_ORD_ORGNO, ODNO, ORD_TMD', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    const buy = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '3',
      ORD_UNPR: '70000',
    });
    expect(buy.status).toBe(200);
    expect(buy.body).toMatchObject({
      rt_cd: '0',
      msg_cd: '40600000',
      msg1: '모의투자 매수주문이 완료 되었습니다.',
    });
    const output = buy.body.output as Record<string, string>;
    expect(Object.keys(output)).toEqual(['KRX_FWDG_ORD_ORGNO', 'ODNO', 'ORD_TMD']);
    expect(output.ORD_TMD).toMatch(/^\d{6}$/);
  });

  it('real order-cash answers APBK0013 and accepts the old TR id', async () => {
    const { sb } = await start({ environment: 'real' });
    const token = await issueToken(sb);
    const reply = await kisPost(
      sb,
      token,
      `${TRADING}/order-cash`,
      'TTTC0802U',
      orderBody(sb, { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' }),
    );
    expect(reply.body).toMatchObject({
      rt_cd: '0',
      msg_cd: 'APBK0013',
      msg1: '주문 전송 완료 되었습니다.',
    });
  });
});

describe('defaults', () => {
  it('limits paper to 2 requests a second by default (KIS), real to 20', async () => {
    const clock = Date.UTC(2026, 0, 5, 1);
    const exchange = createFakeExchange(() => clock);
    const sb = await startSandboxServer(exchange, { environment: 'paper', clock: () => clock });
    open.push(sb);
    const token = await issueToken(sb);
    const query = dailyCcldQuery(sb, '20260105');
    const codes = [];
    for (let i = 0; i < 3; i += 1) {
      codes.push(
        (await kisGet(sb, token, `${TRADING}/inquire-daily-ccld`, 'VTTC0081R', query)).body.msg_cd,
      );
    }
    expect(codes.slice(2)).toEqual(['EGW00201']);
  });
});
