// Plain fetch / ws helpers for the sandbox tests (no KIS client library on purpose).
import { createDecipheriv } from 'node:crypto';
import WebSocket from 'ws';

export interface SandboxLike {
  readonly environment: 'real' | 'paper';
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly credentials: {
    readonly appKey: string;
    readonly appSecret: string;
    readonly account: string;
    readonly htsId: string;
  };
}

export const TRADING = '/uapi/domestic-stock/v1/trading';

export interface KisReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function reply(response: Response): Promise<KisReply> {
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

export async function postJson(sb: SandboxLike, path: string, body: unknown): Promise<KisReply> {
  return reply(
    await fetch(`${sb.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    }),
  );
}

export async function issueToken(sb: SandboxLike): Promise<string> {
  const { status, body } = await postJson(sb, '/oauth2/tokenP', {
    grant_type: 'client_credentials',
    appkey: sb.credentials.appKey,
    appsecret: sb.credentials.appSecret,
  });
  if (status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`token failed: ${status} ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

export async function approvalKey(sb: SandboxLike): Promise<string> {
  const { body } = await postJson(sb, '/oauth2/Approval', {
    grant_type: 'client_credentials',
    appkey: sb.credentials.appKey,
    secretkey: sb.credentials.appSecret,
  });
  return String(body.approval_key);
}

export function kisHeaders(
  sb: SandboxLike,
  token: string,
  trId: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    'content-type': 'application/json; charset=utf-8',
    authorization: `Bearer ${token}`,
    appkey: sb.credentials.appKey,
    appsecret: sb.credentials.appSecret,
    tr_id: trId,
    custtype: 'P',
    ...extra,
  };
  // An `undefined` in `extra` leaves that header out.
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function account(sb: SandboxLike): { CANO: string; ACNT_PRDT_CD: string } {
  const [cano, code] = sb.credentials.account.split('-') as [string, string];
  return { CANO: cano, ACNT_PRDT_CD: code };
}

export async function kisPost(
  sb: SandboxLike,
  token: string,
  path: string,
  trId: string,
  body: unknown,
  extra: Record<string, string | undefined> = {},
): Promise<KisReply> {
  return reply(
    await fetch(`${sb.baseUrl}${path}`, {
      method: 'POST',
      headers: kisHeaders(sb, token, trId, extra),
      body: JSON.stringify(body),
    }),
  );
}

export async function kisGet(
  sb: SandboxLike,
  token: string,
  path: string,
  trId: string,
  query: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<KisReply> {
  const url = `${sb.baseUrl}${path}?${new URLSearchParams(query).toString()}`;
  const headers = kisHeaders(sb, token, trId, extra);
  delete headers.custtype;
  return reply(await fetch(url, { headers }));
}

export function trIdOf(sb: SandboxLike, realTrId: string): string {
  return sb.environment === 'paper' ? `V${realTrId.slice(1)}` : realTrId;
}

export function orderBody(
  sb: SandboxLike,
  fields: { PDNO: string; ORD_DVSN?: string; ORD_QTY: string; ORD_UNPR: string },
): Record<string, string> {
  return { ...account(sb), ORD_DVSN: '00', EXCG_ID_DVSN_CD: 'KRX', ...fields };
}

export async function placeOrder(
  sb: SandboxLike,
  token: string,
  side: 'buy' | 'sell',
  fields: { PDNO: string; ORD_DVSN?: string; ORD_QTY: string; ORD_UNPR: string },
): Promise<KisReply> {
  const trId = trIdOf(sb, side === 'buy' ? 'TTTC0012U' : 'TTTC0011U');
  return kisPost(sb, token, `${TRADING}/order-cash`, trId, orderBody(sb, fields));
}

export function dailyCcldQuery(
  sb: SandboxLike,
  date: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    ...account(sb),
    INQR_STRT_DT: date,
    INQR_END_DT: date,
    SLL_BUY_DVSN_CD: '00',
    INQR_DVSN: '01',
    PDNO: '',
    CCLD_DVSN: '00',
    ORD_GNO_BRNO: '',
    ODNO: '',
    INQR_DVSN_3: '00',
    INQR_DVSN_1: '',
    CTX_AREA_FK100: '',
    CTX_AREA_NK100: '',
    ...overrides,
  };
}

/** A WebSocket client that queues text messages. */
export interface WsClient {
  readonly socket: WebSocket;
  next(): Promise<string>;
  send(value: unknown): void;
  closed: Promise<void>;
  close(): void;
}

export async function connectWs(url: string): Promise<WsClient> {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const waiters: Array<(text: string) => void> = [];
  socket.on('message', (data) => {
    const text = data.toString();
    const waiter = waiters.shift();
    if (waiter) waiter(text);
    else queue.push(text);
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    next: () =>
      new Promise<string>((resolve) => {
        const text = queue.shift();
        if (text !== undefined) resolve(text);
        else waiters.push(resolve);
      }),
    send: (value) => socket.send(typeof value === 'string' ? value : JSON.stringify(value)),
    closed,
    close: () => socket.terminate(),
  };
}

export function subscribeMessage(
  approval: string,
  trId: string,
  trKey: string,
  trType = '1',
): Record<string, unknown> {
  return {
    header: { approval_key: approval, custtype: 'P', tr_type: trType, 'content-type': 'utf-8' },
    body: { input: { tr_id: trId, tr_key: trKey } },
  };
}

/** Decrypts a `1|TR|001|payload` frame with node:crypto and splits the fields. */
export function decryptFrame(frame: string, key: string, iv: string): string[] {
  const [enc, , count, payload] = frame.split('|');
  if (enc !== '1' || count !== '001' || payload === undefined)
    throw new Error(`bad frame ${frame}`);
  const decipher = createDecipheriv(
    'aes-256-cbc',
    Buffer.from(key, 'utf8'),
    Buffer.from(iv, 'utf8'),
  );
  const text = Buffer.concat([
    decipher.update(Buffer.from(payload, 'base64')),
    decipher.final(),
  ]).toString('utf8');
  return text.split('^');
}
