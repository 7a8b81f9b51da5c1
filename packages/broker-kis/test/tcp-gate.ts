// A TCP forwarder on 127.0.0.1 in front of the sandbox that can REFUSE connections for real
// (nothing listening -> ECONNREFUSED), so "refused connection" is the TCP-level event the
// transport classifies as not-sent. The sandbox's own `refuse-connection` fault accepts the TCP
// connection and then destroys it, which a client cannot tell from a reset after sending.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpGate {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops listening and drops open connections: the next connection is refused. */
  refuse(): Promise<void>;
  /** Listens again on the same port (no-op when listening). */
  open(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Starts a gate forwarding to `target` (`http://127.0.0.1:<port>`). */
export async function startTcpGate(target: string): Promise<TcpGate> {
  const targetPort = Number(new URL(target).port);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
  });
  const port = await listen(server, 0);
  let listening = true;

  async function dropAll(): Promise<void> {
    const closing = [...sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const socket of sockets) socket.destroy();
    await Promise.all(closing);
    // Let the client side see the closed keep-alive sockets before the next request.
    for (let i = 0; i < 3; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    async refuse() {
      if (listening) {
        listening = false;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await dropAll();
        await closed;
      }
    },
    async open() {
      if (!listening) {
        await listen(server, port);
        listening = true;
      }
    },
    async close() {
      if (listening) {
        listening = false;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await dropAll();
        await closed;
      }
    },
  };
}
