// Execution notices over the WebSocket: subscribe, AES-256-CBC notices, PINGPONG, paths.
import { afterEach, describe, expect, it } from 'vitest';
import { NOTICE_FIELDS } from '../../src/sandbox/notice-crypto.js';
import { type RunningSandboxServer, startSandboxServer } from '../../src/sandbox/server.js';
import { createFakeExchange, type FakeExchange } from './fake-exchange.js';
import {
  approvalKey,
  connectWs,
  decryptFrame,
  issueToken,
  placeOrder,
  subscribeMessage,
  type WsClient,
} from './helpers.js';

const open: RunningSandboxServer[] = [];
const clients: WsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function start(options: Parameters<typeof startSandboxServer>[1] = {}) {
  const exchange: FakeExchange = createFakeExchange();
  const sb = await startSandboxServer(exchange, {
    environment: 'paper',
    rateLimitPerSecond: null,
    ...options,
  });
  open.push(sb);
  return { sb, exchange };
}

async function ws(url: string): Promise<WsClient> {
  const client = await connectWs(url);
  clients.push(client);
  return client;
}

function field(fields: string[], name: (typeof NOTICE_FIELDS)[number]): string | undefined {
  return fields[NOTICE_FIELDS.indexOf(name)];
}

describe('subscribe', () => {
  it.each(['/', '/tryitout', '/tryitout/H0STCNI9'])(
    'replies SUBSCRIBE SUCCESS with key/iv on %s',
    async (path) => {
      const { sb } = await start();
      const client = await ws(`${sb.wsUrl}${path}`);
      client.send(subscribeMessage(await approvalKey(sb), 'H0STCNI9', sb.credentials.htsId));
      const reply = JSON.parse(await client.next());
      expect(reply.header).toMatchObject({
        tr_id: 'H0STCNI9',
        tr_key: sb.credentials.htsId,
        encrypt: 'Y',
      });
      expect(reply.body).toMatchObject({
        rt_cd: '0',
        msg_cd: 'OPSP0000',
        msg1: 'SUBSCRIBE SUCCESS',
      });
      expect(reply.body.output.key).toHaveLength(32);
      expect(reply.body.output.iv).toHaveLength(16);
    },
  );

  it('drops the connection without a reply or a close frame on a subscription under another HTS id', async () => {
    const { sb } = await start();
    const client = await ws(`${sb.wsUrl}/tryitout`);
    let closeCode: number | null = null;
    client.socket.on('close', (code) => {
      closeCode = code;
    });
    const messages: string[] = [];
    client.socket.on('message', (data) => messages.push(data.toString()));
    client.send(subscribeMessage(await approvalKey(sb), 'H0STCNI9', `${sb.credentials.htsId}x`));
    await client.closed;
    // 1006: closed abnormally, no close frame received.
    expect(closeCode).toBe(1006);
    expect(messages).toEqual([]);
  });

  it("refuses the other environment's TR, an unknown approval key, and unsubscribes with tr_type 2", async () => {
    const { sb } = await start({ environment: 'real' });
    const client = await ws(`${sb.wsUrl}/tryitout/H0STCNI0`);
    const approval = await approvalKey(sb);
    client.send(subscribeMessage(approval, 'H0STCNI9', sb.credentials.htsId));
    const wrongTr = JSON.parse(await client.next());
    expect(wrongTr.body.rt_cd).not.toBe('0');
    client.send(subscribeMessage('not-a-key', 'H0STCNI0', sb.credentials.htsId));
    const wrongKey = JSON.parse(await client.next());
    expect(wrongKey.body.rt_cd).not.toBe('0');
    client.send(subscribeMessage(approval, 'H0STCNI0', sb.credentials.htsId));
    expect(JSON.parse(await client.next()).body.msg_cd).toBe('OPSP0000');
    client.send(subscribeMessage(approval, 'H0STCNI0', sb.credentials.htsId, '2'));
    const unsub = JSON.parse(await client.next());
    expect(unsub.body).toMatchObject({ rt_cd: '0', msg_cd: 'OPSP0001' });
    expect(String(unsub.body.msg1)).toMatch(/^UNSUB/);
  });
});

describe('paths', () => {
  it('refuses a WebSocket upgrade on another path', async () => {
    const { sb } = await start();
    await expect(connectWs(`${sb.wsUrl}/other`)).rejects.toThrow();
  });
});

describe('notices', () => {
  it('pushes encrypted receipt and fill notices in the §8 field order', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    const client = await ws(`${sb.wsUrl}/tryitout`);
    client.send(subscribeMessage(await approvalKey(sb), 'H0STCNI9', sb.credentials.htsId));
    const { key, iv } = JSON.parse(await client.next()).body.output;

    const placed = await placeOrder(sb, token, 'buy', {
      PDNO: '005930',
      ORD_QTY: '3',
      ORD_UNPR: '70000',
    });
    const odno = (placed.body.output as Record<string, string>).ODNO;

    const receiptFrame = await client.next();
    expect(receiptFrame).toMatch(/^1\|H0STCNI9\|001\|/);
    const receipt = decryptFrame(receiptFrame, key, iv);
    expect(receipt).toHaveLength(26);
    expect(field(receipt, 'CUST_ID')).toBe(sb.credentials.htsId);
    expect(field(receipt, 'ACNT_NO')).toBe(sb.credentials.account.replace('-', ''));
    expect(field(receipt, 'ODER_NO')).toBe(odno);
    expect(field(receipt, 'SELN_BYOV_CLS')).toBe('02');
    expect(field(receipt, 'RCTF_CLS')).toBe('0');
    expect(field(receipt, 'ODER_KIND')).toBe('00');
    expect(field(receipt, 'STCK_SHRN_ISCD')).toBe('005930');
    expect(field(receipt, 'CNTG_QTY')).toBe('3');
    expect(field(receipt, 'STCK_CNTG_HOUR')).toMatch(/^\d{6}$/);
    expect(field(receipt, 'RFUS_YN')).toBe('0');
    expect(field(receipt, 'CNTG_YN')).toBe('1');
    expect(field(receipt, 'ACPT_YN')).toBe('1');
    expect(field(receipt, 'ODER_QTY')).toBe('3');
    expect(field(receipt, 'ODER_PRC')).toBe('70000');

    const fill = decryptFrame(await client.next(), key, iv);
    expect(field(fill, 'CNTG_YN')).toBe('2');
    expect(field(fill, 'CNTG_QTY')).toBe('3');
    expect(field(fill, 'CNTG_UNPR')).toBe('70000');
    expect(fill[2]).toBe(odno);
  });

  it('drop and duplicate notice faults', async () => {
    const { sb, exchange } = await start();
    const token = await issueToken(sb);
    const client = await ws(`${sb.wsUrl}/tryitout`);
    client.send(subscribeMessage(await approvalKey(sb), 'H0STCNI9', sb.credentials.htsId));
    const { key, iv } = JSON.parse(await client.next()).body.output;
    exchange.setReferencePrice('000660', 100_000);
    // a resting buy: receipt only. Drop the receipt of the first, duplicate the second's.
    exchange.noticeFaults.push('drop', 'duplicate');
    const first = await placeOrder(sb, token, 'buy', {
      PDNO: '000660',
      ORD_QTY: '1',
      ORD_UNPR: '90000',
    });
    const second = await placeOrder(sb, token, 'buy', {
      PDNO: '000660',
      ORD_QTY: '2',
      ORD_UNPR: '90000',
    });
    const a = decryptFrame(await client.next(), key, iv);
    const b = decryptFrame(await client.next(), key, iv);
    const secondNo = (second.body.output as Record<string, string>).ODNO;
    expect(a[2]).toBe(secondNo);
    expect(b[2]).toBe(secondNo);
    expect((first.body.output as Record<string, string>).ODNO).not.toBe(secondNo);
  });

  it('only the subscribed HTS id gets notices; another HTS id is dropped', async () => {
    const { sb } = await start();
    const token = await issueToken(sb);
    const other = await ws(`${sb.wsUrl}/tryitout`);
    const approval = await approvalKey(sb);
    other.send(subscribeMessage(approval, 'H0STCNI9', 'someoneelse'));
    await other.closed;
    const mine = await ws(`${sb.wsUrl}/tryitout`);
    mine.send(subscribeMessage(approval, 'H0STCNI9', sb.credentials.htsId));
    await mine.next();
    await placeOrder(sb, token, 'buy', { PDNO: '005930', ORD_QTY: '1', ORD_UNPR: '70000' });
    expect(await mine.next()).toMatch(/^1\|H0STCNI9\|/);
  });
});

describe('PINGPONG', () => {
  it('sends PINGPONG and keeps a client that echoes it or answers with a pong frame; drops a silent one', async () => {
    const { sb } = await start({ pingIntervalMs: 150 });
    const echo = await ws(`${sb.wsUrl}/tryitout`);
    const ponger = await ws(`${sb.wsUrl}/`);
    const silent = await ws(`${sb.wsUrl}/tryitout`);
    let silentClosed = false;
    void silent.closed.then(() => {
      silentClosed = true;
    });

    for (let round = 0; round < 2; round += 1) {
      const ping = await echo.next();
      expect(JSON.parse(ping)).toEqual({
        header: { tr_id: 'PINGPONG', datetime: expect.stringMatching(/^\d{14}$/) },
      });
      echo.send(ping);
      const ping2 = await ponger.next();
      ponger.socket.pong(ping2);
    }
    await silent.closed;
    expect(silentClosed).toBe(true);
    expect(echo.socket.readyState).toBe(echo.socket.OPEN);
    expect(ponger.socket.readyState).toBe(ponger.socket.OPEN);
  });

  it('close() ends WebSocket clients', async () => {
    const { sb } = await start();
    const client = await ws(`${sb.wsUrl}/tryitout`);
    let code: number | null = null;
    client.socket.once('close', (closeCode: number) => {
      code = closeCode;
    });
    const closing = sb.close();
    // A connection that is still open answers a ping with a pong; an ended one closes instead
    // (close() ends the connections before its first await).
    const outcome = await new Promise<string>((resolve) => {
      client.socket.once('pong', () => resolve('pong: the connection is still open'));
      void client.closed.then(() => resolve('closed'));
      if (client.socket.readyState === client.socket.OPEN) client.socket.ping();
    });
    expect(outcome).toBe('closed');
    await closing;
    expect(client.socket.readyState).toBe(client.socket.CLOSED);
    // Dropped by the server (no close frame from either side), not closed by the client.
    expect(code).toBe(1006);
  });
});
