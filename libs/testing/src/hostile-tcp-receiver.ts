import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * How a hostile receiver behaves once a whole request has arrived:
 * - `reset`: aborts the connection with a TCP RST;
 * - `silent`: never writes a byte (the client must give up by itself);
 * - `trickle`: writes `head` at once, then `body` one byte per `intervalMs` (default 1000);
 * - `flood`: writes `head`, then `bodyBytes` of filler as fast as the client takes it.
 */
export type HostileBehaviour =
  | { kind: 'reset' }
  | { kind: 'silent' }
  | { kind: 'trickle'; head: string; body: string; intervalMs?: number }
  | { kind: 'flood'; head: string; bodyBytes: number };

/** One connection as the hostile receiver saw it. */
export interface HostileConnection {
  /** `Date.now()` when the connection was accepted. */
  openedAt: number;
  /** `Date.now()` when the whole request had arrived; null if it never did. */
  requestAt: number | null;
  /** `Date.now()` when the socket closed; null while it is open. */
  closedAt: number | null;
  /** The request's `webhook-id` header, when a request arrived. */
  webhookId: string | null;
  /**
   * Response bytes the kernel accepted (write callbacks without error) before the peer closed.
   * What the client read is at most this; the rest sat in socket buffers.
   */
  bytesWritten: number;
}

export interface HostileTcpReceiver {
  /** `http://<host>:<port>` */
  url: string;
  host: string;
  port: number;
  connections: HostileConnection[];
  close(): Promise<void>;
}

const HEAD_END = '\r\n\r\n';
const FILLER_CHUNK = Buffer.alloc(64 * 1024, 'x');

/** Whether the request (headers, then `content-length` bytes) is all there; its `webhook-id`. */
function parseRequest(
  received: Buffer,
): { complete: boolean; webhookId: string | null } | undefined {
  const end = received.indexOf(HEAD_END);
  if (end < 0) return undefined;
  const head = received.subarray(0, end).toString('latin1');
  const header = (name: string) =>
    new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? null;
  const length = Number(header('content-length') ?? 0);
  return {
    complete: received.length >= end + HEAD_END.length + length,
    webhookId: header('webhook-id'),
  };
}

/**
 * A receiver that speaks raw TCP, for what an HTTP server library will not do: reset the
 * connection, never answer, trickle, or offer an endless body. It reads each request in full (by
 * `content-length`) before misbehaving, and records every connection's life and how many response
 * bytes the kernel took before the client went away. `host` may be any 127.0.0.0/8 address, so
 * each hostile receiver can be an endpoint of its own.
 */
export async function startHostileTcpReceiver(
  behaviour: HostileBehaviour,
  options: { host?: string } = {},
): Promise<HostileTcpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const connections: HostileConnection[] = [];

  const misbehave = (socket: Socket, connection: HostileConnection) => {
    const write = (data: string | Buffer, done?: () => void) =>
      socket.write(data, (error) => {
        if (error) return;
        connection.bytesWritten += Buffer.byteLength(data);
        done?.();
      });
    switch (behaviour.kind) {
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'silent':
        return;
      case 'trickle': {
        write(behaviour.head);
        let next = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || next >= behaviour.body.length) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          write(behaviour.body[next]);
          next += 1;
        }, behaviour.intervalMs ?? 1000);
        timers.add(timer);
        return;
      }
      case 'flood': {
        write(behaviour.head);
        let left = behaviour.bodyBytes;
        // Writes only while the kernel keeps taking data, so nothing piles up in this process.
        const pump = () => {
          while (left > 0 && !socket.destroyed) {
            const chunk =
              left >= FILLER_CHUNK.length ? FILLER_CHUNK : FILLER_CHUNK.subarray(0, left);
            left -= chunk.length;
            if (!write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
          if (left === 0) socket.end();
        };
        pump();
        return;
      }
    }
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const connection: HostileConnection = {
      openedAt: Date.now(),
      requestAt: null,
      closedAt: null,
      webhookId: null,
      bytesWritten: 0,
    };
    connections.push(connection);
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const request = parseRequest(received);
      if (!request?.complete) return;
      socket.off('data', onData);
      socket.resume(); // anything more is discarded
      connection.requestAt = Date.now();
      connection.webhookId = request.webhookId;
      misbehave(socket, connection);
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      connection.closedAt = Date.now();
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    connections,
    async close() {
      for (const timer of timers) clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The longest an unaccepting listener lives, even if nobody closes it. */
const MAX_UNACCEPTING_SECONDS = 30 * 60;

/** A listener whose accept queue is full: a connection to it never completes its handshake. */
export interface UnacceptingListener {
  url: string;
  host: string;
  port: number;
  /** PID of the stopped process that holds the listening socket. */
  pid: number;
  close(): Promise<void>;
}

/**
 * A "socket that never answers" one layer down: a child process listens (backlog 1) and is
 * stopped with SIGSTOP, so it never accepts; a few connections from here fill its accept queue,
 * after which the kernel drops every new SYN and a client's connect hangs until it gives up.
 * Checked before it is returned: one more connect does not complete within 500 ms.
 */
export async function startUnacceptingListener(
  options: { host?: string } = {},
): Promise<UnacceptingListener> {
  const host = options.host ?? '127.0.0.1';
  // Under coreutils `timeout`, so a listener orphaned by a crashed test run still dies (a stopped
  // process cannot end itself).
  const child = spawn(
    'timeout',
    [
      '-s',
      'KILL',
      String(MAX_UNACCEPTING_SECONDS),
      process.execPath,
      '-e',
      `const s = require('node:net').createServer(); s.listen({ port: 0, host: ${JSON.stringify(host)}, backlog: 1 }, () => console.log(s.address().port, process.pid));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const [port, pid] = await new Promise<number[]>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) =>
      resolve(chunk.toString().trim().split(/\s+/).map(Number)),
    );
    child.once('exit', (code) => reject(new Error(`listener exited (${code}) before listening`)));
  });
  process.kill(pid, 'SIGSTOP');

  const fillers: Socket[] = [];
  const connects = (timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      fillers.push(socket);
      socket.on('error', () => resolve(false));
      socket.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), timeoutMs);
    });
  const close = async () => {
    for (const socket of fillers) socket.destroy();
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    await exited;
  };
  for (let tries = 0; (await connects(500)) === true; tries++) {
    if (tries > 64) {
      await close();
      throw new Error(`connects to ${host}:${port} still complete: the accept queue never filled`);
    }
  }
  return { url: `http://${host}:${port}`, host, port, pid, close };
}
