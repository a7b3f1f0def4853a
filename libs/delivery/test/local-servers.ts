import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
} from 'node:net';

/** A real HTTP server on 127.0.0.1 that counts what reaches it. */
export interface LocalHttpServer {
  readonly port: number;
  readonly url: string;
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  /** Requests received so far, with their bodies. */
  readonly requests: Array<{ req: IncomingMessage; body: Buffer }>;
  close(): Promise<void>;
}

export async function startHttpServer(handler: RequestListener): Promise<LocalHttpServer> {
  const requests: LocalHttpServer['requests'] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => requests.push({ req, body: Buffer.concat(chunks) }));
    handler(req, res);
  });
  server.on('connection', () => connections++);
  const port = await listen(server);
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    connections: () => connections,
    requests,
    close: () => closeServer(server),
  };
}

/** A TCP server that must never be reached: it only counts connections. */
export async function startSentinel(): Promise<{
  port: number;
  connections: () => number;
  close(): Promise<void>;
}> {
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    socket.destroy();
  });
  const port = await listen(server);
  return { port, connections: () => connections, close: () => closeServer(server) };
}

/** A port on 127.0.0.1 where nothing listens (it did a moment ago, so nothing else took it). */
export async function unusedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

async function listen(server: Server | NetServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server | NetServer): Promise<void> {
  if ('closeAllConnections' in server) {
    server.closeAllConnections();
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
