import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver got it, checked against every secret it knew when it arrived. */
export interface ReceivedRequest {
  /** 0, 1, 2, … in arrival order. */
  index: number;
  method: string;
  /** Path and query, e.g. `/hooks/a`. */
  path: string;
  /** Lower-case names; repeated headers joined with `, ` (Node's own rule). */
  headers: Record<string, string>;
  /** The exact bytes received. */
  rawBody: Buffer;
  /** `rawBody` as UTF-8. */
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: unknown;
  /** `Date.now()` when the request's headers arrived. */
  receivedAt: number;
  /** Per secret: did `new Webhook(secret).verify(rawBody, headers)` accept the request. */
  verifiedBy: Record<string, boolean>;
  /** True when at least one known secret verified the request. */
  verified: boolean;
  /** Why verification failed, per secret that did not verify. */
  verificationErrors: Record<string, string>;
}

/** What to answer: a status (default 200) with headers and a body, after an optional delay. */
export interface ReceiverReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Record<string, unknown>;
  delayMs?: number;
}

/**
 * `'hang'` reads the request and never answers (until the client gives up or the receiver closes);
 * `'destroy'` drops the connection without an answer.
 */
export type ReceiverAnswer = ReceiverReply | 'hang' | 'destroy';

export type ReceiverRespond = (
  request: ReceivedRequest,
  receiver: WebhookReceiver,
) => ReceiverAnswer | Promise<ReceiverAnswer>;

export interface WebhookReceiverOptions {
  /** A `whsec_…` secret every request is verified with. */
  secret?: string;
  /** Several secrets (e.g. during a rotation): each is tried and its result recorded. */
  secrets?: readonly string[];
  /** How to answer each request; 200 `ok` by default. */
  respond?: ReceiverRespond;
  /** Listen on this port (e.g. one that was refused before); 0 (any free port) by default. */
  port?: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`; append a path to tell several webhooks apart. */
  url: string;
  port: number;
  /** Every request so far, in arrival order. */
  requests: ReceivedRequest[];
  /** Also verify later requests with `secret` (and re-check the recorded ones). */
  addSecret(secret: string): void;
  /** Replaces how the receiver answers from now on. */
  setRespond(respond: ReceiverRespond): void;
  /**
   * Resolves with the matching requests once there are at least `count`; rejects after
   * `timeoutMs` with what did arrive.
   */
  waitForRequests(
    count: number,
    timeoutMs?: number,
    filter?: (request: ReceivedRequest) => boolean,
  ): Promise<ReceivedRequest[]>;
  /** Stops listening and drops every open connection (hanging ones included). */
  close(): Promise<void>;
}

/** Standard Webhooks' verify takes the three headers; it looks them up by lower-case name. */
function verifyWith(
  secret: string,
  rawBody: Buffer,
  headers: Record<string, string>,
): string | null {
  try {
    new Webhook(secret).verify(rawBody, headers);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real HTTP receiver on 127.0.0.1: records every request (headers, exact body bytes, arrival
 * time) and verifies each one with the `standardwebhooks` reference package, so a test asserts
 * what a downstream system would see. Answers are programmable per request.
 */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions = {},
): Promise<WebhookReceiver> {
  const secrets = new Set<string>([
    ...(options.secret ? [options.secret] : []),
    ...(options.secrets ?? []),
  ]);
  let respond: ReceiverRespond = options.respond ?? (() => ({ status: 200, body: 'ok' }));
  const requests: ReceivedRequest[] = [];
  const listeners = new Set<() => void>();
  const sockets = new Set<Socket>();

  const verify = (request: ReceivedRequest, secret: string) => {
    const error = verifyWith(secret, request.rawBody, request.headers);
    request.verifiedBy[secret] = error === null;
    if (error === null) delete request.verificationErrors[secret];
    else request.verificationErrors[secret] = error;
    request.verified = Object.values(request.verifiedBy).some(Boolean);
  };

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const text = rawBody.toString('utf8');
    const request: ReceivedRequest = {
      index: requests.length,
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: flatHeaders(incoming),
      rawBody,
      text,
      json: parseJson(text),
      receivedAt,
      verifiedBy: {},
      verified: false,
      verificationErrors: {},
    };
    for (const secret of secrets) verify(request, secret);
    requests.push(request);
    for (const listener of listeners) listener();

    let answer: ReceiverAnswer;
    try {
      answer = await respond(request, receiver);
    } catch (error) {
      answer = { status: 599, body: `receiver respond() threw: ${String(error)}` };
    }
    if (answer === 'hang') return;
    if (answer === 'destroy') {
      incoming.socket.destroy();
      return;
    }
    if (answer.delayMs) await sleep(answer.delayMs);
    if (outgoing.destroyed || outgoing.writableEnded) return;
    const body =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string' || Buffer.isBuffer(answer.body)
          ? answer.body
          : JSON.stringify(answer.body);
    outgoing.writeHead(answer.status ?? 200, answer.headers ?? {});
    outgoing.end(body);
  };

  const server: Server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch(() => outgoing.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    addSecret(secret) {
      secrets.add(secret);
      for (const request of requests) verify(request, secret);
    },
    setRespond(next) {
      respond = next;
    },
    waitForRequests(count, timeoutMs = 10_000, filter = () => true) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = requests.filter(filter);
          if (matching.length < count) return false;
          listeners.delete(onRequest);
          clearTimeout(timer);
          resolve(matching);
          return true;
        };
        const onRequest = () => void check();
        const timer = setTimeout(() => {
          listeners.delete(onRequest);
          const seen = requests.filter(filter).map(describeRequest);
          reject(
            new Error(
              `receiver ${receiver.url}: expected ${count} request(s) within ${timeoutMs} ms, got ${seen.length}: ${JSON.stringify(seen)}`,
            ),
          );
        }, timeoutMs);
        listeners.add(onRequest);
        check();
      });
    },
    async close() {
      listeners.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
  return receiver;
}

/** A short, loggable summary of a request (for failure messages). */
export function describeRequest(request: ReceivedRequest): Record<string, unknown> {
  return {
    path: request.path,
    webhookId: request.headers['webhook-id'],
    verified: request.verified,
    body: request.text.length > 300 ? `${request.text.slice(0, 300)}…` : request.text,
  };
}

/** A listener that must never be contacted: it counts connections and drops them. */
export interface ConnectionSentinel {
  url: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startConnectionSentinel(): Promise<ConnectionSentinel> {
  const server = createNetServer((socket) => {
    sentinel.connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const sentinel: ConnectionSentinel = {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sentinel;
}

/**
 * A port on 127.0.0.1 with nothing listening (it was free a moment ago): connecting to it is
 * refused until something listens there, e.g. `startWebhookReceiver({ port })`.
 */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
