// Shared pieces of the floor benches: statistics, the header line (date, load average), and the
// node:http keep-alive floor and bare fetch of one identical order-cash request.
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';

/** One identical order-cash request, as broker-kis sends it. */
export interface BareRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Builds the request broker-kis sends for a 1-share limit buy of 005930 at 70,000 KRW. */
export function orderCashRequest(options: {
  baseUrl: string;
  environment: 'real' | 'paper';
  appKey: string;
  appSecret: string;
  account: string;
  token: string;
}): BareRequest {
  const [cano, product] = options.account.split('-') as [string, string];
  return {
    url: `${options.baseUrl}/uapi/domestic-stock/v1/trading/order-cash`,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${options.token}`,
      appkey: options.appKey,
      appsecret: options.appSecret,
      tr_id: options.environment === 'paper' ? 'VTTC0012U' : 'TTTC0012U',
      custtype: 'P',
      tr_cont: '',
    },
    body: JSON.stringify({
      CANO: cano,
      ACNT_PRDT_CD: product,
      PDNO: '005930',
      ORD_DVSN: '00',
      ORD_QTY: '1',
      ORD_UNPR: '70000',
      EXCG_ID_DVSN_CD: 'KRX',
    }),
  };
}

/** node:http with a keep-alive agent: the floor of a client in Node. */
export function nodeHttpClient(bare: BareRequest): () => Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(bare.url);
  const headers = { ...bare.headers, 'content-length': String(Buffer.byteLength(bare.body)) };
  return () =>
    new Promise<void>((resolve, reject) => {
      const call = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { rt_cd?: string };
            if (parsed.rt_cd === '0') resolve();
            else reject(new Error(`node:http: refused ${JSON.stringify(parsed)}`));
          });
          response.on('error', reject);
        },
      );
      call.on('error', reject);
      call.end(bare.body);
    });
}

/** Node's fetch (its bundled undici, keep-alive): the "bare fetch" of the goals. */
export function fetchClient(bare: BareRequest): () => Promise<void> {
  return async () => {
    const response = await fetch(bare.url, {
      method: 'POST',
      headers: bare.headers,
      body: bare.body,
    });
    const parsed = (await response.json()) as { rt_cd?: string };
    if (parsed.rt_cd !== '0') throw new Error(`fetch: refused ${JSON.stringify(parsed)}`);
  };
}

export interface Stats {
  readonly median: number;
  readonly p99: number;
}

export function stats(times: readonly number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p99: at(0.99) };
}

/**
 * Runs every client once per round, in a rotating order (so load and warm-up hit all alike),
 * `warmup` unmeasured rounds first; returns each client's times in ms.
 */
export async function interleave(
  clients: Record<string, () => Promise<unknown>>,
  rounds: number,
  warmup: number,
): Promise<Record<string, number[]>> {
  const names = Object.keys(clients);
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + rounds; round += 1) {
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(round + k) % names.length] as string;
      const client = clients[name] as () => Promise<unknown>;
      // One turn of the event loop between clients, outside the timings: work a client deferred
      // (e.g. the journal's WAL checkpoint after an answer) runs here, not inside another's time.
      await new Promise((resolve) => setImmediate(resolve));
      const start = performance.now();
      await client();
      const elapsed = performance.now() - start;
      if (round >= warmup) (times[name] as number[]).push(elapsed);
    }
  }
  return times;
}

/** `2026-12-06T06:10:00Z, load average 3.1 2.9 2.5 (2 cores), Node v20...` */
export function runHeader(): string {
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `${new Date().toISOString().slice(0, 19)}Z, load average ${load} (${availableParallelism()} cores), Node ${process.version}`;
}

/** Prints a table of medians, p99 and ratios against `base` (and the floor). */
export function report(
  title: string,
  times: Record<string, number[]>,
  base: string,
  floor: string,
): Record<string, { medianMs: number; p99Ms: number; ratio: number; p99Ratio: number }> {
  const baseStats = stats(times[base] ?? []);
  const floorStats = stats(times[floor] ?? []);
  const out: Record<string, { medianMs: number; p99Ms: number; ratio: number; p99Ratio: number }> =
    {};
  const lines = [`${title} (${runHeader()})`];
  lines.push(
    `  ${'client'.padEnd(58)} ${'median'.padStart(9)} ${'p99'.padStart(9)} ${`x ${base}`.padStart(12)} ${'p99 x'.padStart(7)} ${`x ${floor}`.padStart(14)}`,
  );
  for (const [name, list] of Object.entries(times)) {
    const s = stats(list);
    const ratio = s.median / baseStats.median;
    const p99Ratio = s.p99 / baseStats.p99;
    out[name] = {
      medianMs: Number(s.median.toFixed(3)),
      p99Ms: Number(s.p99.toFixed(3)),
      ratio: Number(ratio.toFixed(2)),
      p99Ratio: Number(p99Ratio.toFixed(2)),
    };
    lines.push(
      `  ${name.padEnd(58)} ${`${s.median.toFixed(3)} ms`.padStart(9)} ${`${s.p99.toFixed(3)} ms`.padStart(9)} ${`${ratio.toFixed(2)}x`.padStart(12)} ${`${p99Ratio.toFixed(2)}x`.padStart(7)} ${`${(s.median / floorStats.median).toFixed(2)}x`.padStart(14)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return out;
}
