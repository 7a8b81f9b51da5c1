// Execution notices end to end through a real WebSocket: a KIS-like notice server in a child
// process (so it does not share this event loop) answers the subscribe with an AES key and then
// pushes FRAMES distinct fill notices as fast as the socket takes them (framed once beforehand
// and written to the TCP socket in 1 MiB chunks, so the server is never the bottleneck). This
// process receives them through `createKisOrderAdapter(...).subscribe` (ws, the connection's
// grouped decoding, the tracker, the listener) and, in alternate rounds, through a bare ws
// client that only turns each frame into a string (the floor of any receiver). Prints frames
// per second of wall time from the first notice to the last (medians of the rounds), the CPU
// time a frame, and how many frames each event-loop turn delivered.
// `node --import tsx bench/notice-socket.ts`; QTS_BENCH_FRAMES changes the count.
import { fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { OrderEvent } from '@qts/order-contract';
import { type WebSocket, WebSocketServer } from 'ws';
import { createKisOrderAdapter } from '../src/index.js';
import { createFakeTransport } from '../test/helpers.js';
import { NOTICE_KEY, noticeFrame, noticeRecord } from '../test/notice-fixtures.js';

const FRAMES = Number(process.env.QTS_BENCH_FRAMES ?? 200_000);
const ROUNDS = 3;

/** Distinct fills: 2,000 orders x 100 prices each (no frame is a replay of another). */
function frameAt(k: number): string {
  return noticeFrame([
    noticeRecord({
      ODER_NO: String(1_000_000 + (k % 2_000)).padStart(10, '0'),
      CNTG_QTY: '1',
      CNTG_UNPR: String(70_000 + Math.floor(k / 2_000)),
      CNTG_YN: '2',
    }),
  ]);
}

/** A server-to-client WebSocket text message (FIN, opcode 1, unmasked). */
function wsTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const length = payload.length;
  const head =
    length < 126
      ? Buffer.from([0x81, length])
      : Buffer.from([0x81, 126, length >> 8, length & 0xff]);
  if (length > 0xffff) throw new Error('frame too long for this bench');
  return Buffer.concat([head, payload]);
}

async function serve(): Promise<void> {
  const wire = Buffer.concat(Array.from({ length: FRAMES }, (_, k) => wsTextFrame(frameAt(k))));
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.on('connection', (socket: WebSocket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        header: { tr_type?: string };
        body?: { input: { tr_id: string } };
      };
      if (message.header.tr_type !== '1' || message.body === undefined) return;
      socket.send(
        JSON.stringify({
          header: { tr_id: message.body.input.tr_id, encrypt: 'Y' },
          body: { rt_cd: '0', msg_cd: 'OPSP0000', msg1: 'SUBSCRIBE SUCCESS', output: NOTICE_KEY },
        }),
      );
      // The notices go straight to the TCP socket (ws sends nothing else meanwhile), 1 MiB at a
      // time, each chunk after the previous one drained.
      const raw = (socket as unknown as { _socket: Socket })._socket;
      let at = 0;
      const pump = () => {
        while (at < wire.length) {
          const chunk = wire.subarray(at, at + 1024 * 1024);
          at += chunk.length;
          if (!raw.write(chunk)) {
            raw.once('drain', pump);
            return;
          }
        }
      };
      setTimeout(pump, 50);
    });
  });
  process.send?.({ port });
  process.on('disconnect', () => {
    server.close();
    process.exit(0);
  });
}

interface Received {
  readonly perSecond: number;
  readonly cpuMicrosPerFrame: number;
  readonly framesPerTurn: number[];
}

/**
 * Counts frames from the first to the last, and per turn of the event loop (a turn ends at the
 * next setImmediate), with this process's CPU time over the whole receipt.
 */
function counter(total: number) {
  let count = 0;
  let first = 0;
  let last = 0;
  let inTurn = 0;
  let turnOpen = false;
  const turns: number[] = [];
  const cpuStart = process.cpuUsage();
  const closeTurn = () => {
    turns.push(inTurn);
    inTurn = 0;
    turnOpen = false;
  };
  let finish: (received: Received) => void = () => {};
  const done = new Promise<Received>((resolve) => {
    finish = resolve;
  });
  const one = () => {
    const now = performance.now();
    if (count === 0) first = now;
    last = now;
    count += 1;
    inTurn += 1;
    if (!turnOpen) {
      turnOpen = true;
      setImmediate(closeTurn);
    }
    if (count === total) {
      const cpu = process.cpuUsage(cpuStart);
      closeTurn();
      finish({
        perSecond: Math.round((count - 1) / ((last - first) / 1000)),
        cpuMicrosPerFrame: Number(((cpu.user + cpu.system) / count).toFixed(2)),
        framesPerTurn: turns.filter((n) => n > 0),
      });
    }
  };
  return { one, done };
}

/** The floor: a bare ws client of the same frames that only turns each into a string. */
async function bareReceive(port: number): Promise<Received> {
  const { WebSocket } = await import('ws');
  const socket = new WebSocket(`ws://127.0.0.1:${port}/tryitout`, { perMessageDeflate: false });
  const count = counter(FRAMES);
  let subscribed = false;
  socket.on('open', () =>
    socket.send(
      JSON.stringify({ header: { tr_type: '1' }, body: { input: { tr_id: 'H0STCNI9' } } }),
    ),
  );
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    if (!subscribed) {
      subscribed = text.startsWith('{');
      return;
    }
    if (text.length > 0) count.one();
  });
  const received = await count.done;
  socket.terminate();
  return received;
}

/** QTS: the adapter's subscribe (ws, grouped decoding, tracker, listener). */
async function adapterReceive(port: number): Promise<Received> {
  // No REST call is made: the scripted transport has no answers.
  const adapter = createKisOrderAdapter({
    transport: createFakeTransport([], 'paper'),
    webSocketUrl: `ws://127.0.0.1:${port}`,
    auth: { getApprovalKey: async () => 'bench-approval-key' },
    environment: 'paper',
    clock: () => Date.UTC(2026, 0, 5, 1, 0, 0),
  });
  const count = counter(FRAMES);
  await adapter.subscribe((event: OrderEvent) => {
    if (event.type === 'order-filled') count.one();
  });
  const received = await count.done;
  await adapter.close();
  return received;
}

async function measure(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['serve'], {
    execArgv: process.execArgv,
    env: { ...process.env, QTS_BENCH_FRAMES: String(FRAMES) },
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (message) => resolve((message as { port: number }).port)),
  );
  const runs: { bare: Received[]; qts: Received[] } = { bare: [], qts: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.bare.push(await bareReceive(port));
    runs.qts.push(await adapterReceive(port));
  }
  child.disconnect();
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const bare = median(runs.bare.map((run) => run.perSecond));
  const qts = median(runs.qts.map((run) => run.perSecond));
  const turns = runs.qts.flatMap((run) => run.framesPerTurn).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      date: new Date().toISOString().slice(0, 19),
      loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
      frames: FRAMES,
      rounds: ROUNDS,
      bareWsPerSecondWall: bare,
      perSecondWall: qts,
      goalPerSecond: 200_000,
      shareOfBare: Number((qts / bare).toFixed(2)),
      runsPerSecond: runs.qts.map((run) => run.perSecond),
      bareRunsPerSecond: runs.bare.map((run) => run.perSecond),
      cpuMicrosPerFrame: median(runs.qts.map((run) => run.cpuMicrosPerFrame)),
      bareCpuMicrosPerFrame: median(runs.bare.map((run) => run.cpuMicrosPerFrame)),
      framesPerTurnMedian: turns[Math.floor(turns.length / 2)] ?? 0,
      framesPerTurnP10: turns[Math.floor(turns.length / 10)] ?? 0,
    }),
  );
}

if (process.argv[2] === 'serve') await serve();
else await measure();
