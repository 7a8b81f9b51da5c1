// A lightweight KIS-protocol responder for benchmarks (shared by the packages' bench/ folders): plain node:http, keep-alive, canned valid
// KIS answers with KIS's headers (`Content-Type` capitalised, `tr_id` / `tr_cont` / `gt_uid` in
// lower case), no SQLite and no per-request logging, so it answers in a few microseconds and
// the client's own cost is what a bench sees. It still checks what KIS checks first (app key,
// secret, bearer token, TR id of the environment, the order body's required fields), so a
// client that sends a wrong request gets a KIS error answer, not a success.
//
// In process: `await startKisResponder({ environment })`. As a child process (so the server
// does not share the client's event loop): `node --import tsx tooling/bench-kit/src/kis-responder.ts paper`
// prints one JSON line `{ "baseUrl", "appKey", "appSecret", "account" }` and serves until
// stdin closes.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ResponderEnvironment = 'real' | 'paper';

export interface KisResponder {
  readonly baseUrl: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly account: string;
  /** Order answers given so far. */
  orders(): number;
  /** Quote (inquire-price) answers given so far. */
  quotes(): number;
  close(): Promise<void>;
}

const ORDER_CASH = '/uapi/domestic-stock/v1/trading/order-cash';
/** 주식현재가 시세 (FHKST01010100): the day's band the route checks a limit price against. */
const INQUIRE_PRICE = '/uapi/domestic-stock/v1/quotations/inquire-price';
const INQUIRE_PRICE_TR = 'FHKST01010100';
const JSON_TYPE = 'application/json; charset=UTF-8';
const ORDER_FIELDS = ['CANO', 'ACNT_PRDT_CD', 'PDNO', 'ORD_DVSN', 'ORD_QTY', 'ORD_UNPR'] as const;

function kstParts(now: number): { date: string; time: string; dateTime: string } {
  const iso = new Date(now + 9 * 3_600_000).toISOString();
  return {
    date: iso.slice(0, 10).replaceAll('-', ''),
    time: iso.slice(11, 19).replaceAll(':', ''),
    dateTime: iso.slice(0, 19).replace('T', ' '),
  };
}

/** Starts the responder on 127.0.0.1 (a free port). */
export async function startKisResponder(
  options: { environment?: ResponderEnvironment } = {},
): Promise<KisResponder> {
  const environment = options.environment ?? 'paper';
  const paper = environment === 'paper';
  const appKey = `PS${randomBytes(17).toString('hex')}`;
  const appSecret = randomBytes(90).toString('base64').slice(0, 180);
  const account = '50012345-01';
  const token = `bench-${randomBytes(24).toString('hex')}`;
  const buyTr = paper ? 'VTTC0012U' : 'TTTC0012U';
  const sellTr = paper ? 'VTTC0011U' : 'TTTC0011U';
  const okCode = paper ? '40600000' : 'APBK0013';
  const okMessage = paper ? '모의투자 매수주문이 완료 되었습니다.' : '주문 전송 완료 되었습니다.';
  let orderNumber = 0;
  let quoteCount = 0;
  let gtUid = 0;

  function answer(response: ServerResponse, status: number, trId: string | null, body: unknown) {
    const text = JSON.stringify(body);
    response.statusCode = status;
    response.setHeader('Content-Type', JSON_TYPE);
    if (trId !== null) {
      gtUid += 1;
      response.setHeader('tr_id', trId);
      response.setHeader('tr_cont', '');
      response.setHeader('gt_uid', `B${String(gtUid).padStart(31, '0')}`);
    }
    response.setHeader('Content-Length', Buffer.byteLength(text));
    response.end(text);
  }

  function gateway(response: ServerResponse, trId: string | null, code: string, msg: string) {
    answer(response, 500, trId, { rt_cd: '1', msg_cd: code, msg1: msg });
  }

  function onRequest(request: IncomingMessage, body: string, response: ServerResponse): void {
    if (request.method === 'POST' && request.url === '/oauth2/tokenP') {
      answer(response, 200, null, {
        access_token: token,
        access_token_token_expired: kstParts(Date.now() + 86_400_000).dateTime,
        token_type: 'Bearer',
        expires_in: 86_400,
      });
      return;
    }
    const trId = typeof request.headers.tr_id === 'string' ? request.headers.tr_id : '';
    const [path = '', query = ''] = (request.url ?? '').split('?');
    const quote = request.method === 'GET' && path === INQUIRE_PRICE;
    if (!quote && (request.method !== 'POST' || request.url !== ORDER_CASH)) {
      gateway(response, trId || null, 'EGW00202', 'GW라우팅 중 오류가 발생했습니다.');
      return;
    }
    if (request.headers.appkey !== appKey || request.headers.appsecret !== appSecret) {
      gateway(response, trId, 'EGW00103', '유효하지 않은 AppKey입니다.');
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      gateway(response, trId, 'EGW00121', '유효하지 않은 token 입니다.');
      return;
    }
    if (quote) {
      const params = new URLSearchParams(query);
      const symbol = params.get('FID_INPUT_ISCD') ?? '';
      if (trId !== INQUIRE_PRICE_TR) {
        gateway(response, trId, 'EGW00202', 'GW라우팅 중 오류가 발생했습니다.');
        return;
      }
      if (params.get('FID_COND_MRKT_DIV_CODE') !== 'J' || !/^[0-9A-Z]{6}$/.test(symbol)) {
        answer(response, 200, trId, { rt_cd: '1', msg_cd: 'OPSQ2001', msg1: 'ERROR INPUT FIELD' });
        return;
      }
      quoteCount += 1;
      // A made-up but consistent band: base 70,000, limits ±30 % on the tick.
      answer(response, 200, trId, {
        rt_cd: '0',
        msg_cd: 'MCA00000',
        msg1: '정상처리 되었습니다.',
        output: { stck_prpr: '70000', stck_mxpr: '91000', stck_llam: '49000', stck_sdpr: '70000' },
      });
      return;
    }
    if (trId !== buyTr && trId !== sellTr) {
      gateway(response, trId, paper ? 'EGW02006' : 'EGW02005', '모의투자 TR 이 아닙니다.');
      return;
    }
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(body) as Record<string, unknown>;
    } catch {
      gateway(response, trId, 'OPSQ2002', '입력 값이 올바르지 않습니다.');
      return;
    }
    for (const name of ORDER_FIELDS) {
      if (typeof fields[name] !== 'string' || fields[name] === '') {
        answer(response, 200, trId, {
          rt_cd: '2',
          msg_cd: 'OPSQ2001',
          msg1: `ERROR : INPUT_FIELD_NAME ${name}`,
        });
        return;
      }
    }
    orderNumber += 1;
    answer(response, 200, trId, {
      rt_cd: '0',
      msg_cd: okCode,
      msg1: okMessage,
      output: {
        KRX_FWDG_ORD_ORGNO: '91252',
        ODNO: String(orderNumber).padStart(10, '0'),
        ORD_TMD: kstParts(Date.now()).time,
      },
    });
  }

  const server = createServer(
    { keepAlive: true, keepAliveTimeout: 60_000 },
    (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => onRequest(request, Buffer.concat(chunks).toString('utf8'), response));
    },
  );
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    appKey,
    appSecret,
    account,
    orders: () => orderNumber,
    quotes: () => quoteCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts the responder in a child process; resolves with its address and credentials. */
export async function startKisResponderProcess(
  environment: ResponderEnvironment,
): Promise<Omit<KisResponder, 'orders' | 'quotes'>> {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), environment],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.split('\n')[0] as string);
    });
    child.on('exit', (code) => reject(new Error(`the KIS responder exited (${code})`)));
  });
  const info = JSON.parse(line) as {
    baseUrl: string;
    appKey: string;
    appSecret: string;
    account: string;
  };
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '-')
) {
  const environment: ResponderEnvironment = process.argv[2] === 'real' ? 'real' : 'paper';
  const responder = await startKisResponder({ environment });
  const { baseUrl, appKey, appSecret, account } = responder;
  process.stdout.write(`${JSON.stringify({ baseUrl, appKey, appSecret, account })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void responder.close().then(() => process.exit(0));
  });
}
