// Test support, not a test: the `.test.ts` suffix keeps it out of the build (tsconfig.build.json)
// while Jest runs only `*.spec.ts`.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `Date.now()` when the whole request had arrived. */
  readonly receivedAt: number;
}

/** How to answer a request: a status (with body and headers, perhaps after a while), or never. */
export type Reply =
  { status: number; body?: string; headers?: Record<string, string>; afterMs?: number } | 'hang';

export type Responder = (request: ReceivedRequest, index: number) => Reply;

/** A real HTTP receiver on 127.0.0.1 that records every request and answers as scripted. */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private inFlightNow = 0;
  private inFlightMax = 0;

  private constructor(
    private readonly server: Server,
    private responder: Responder,
  ) {}

  static async start(responder: Responder = () => ({ status: 200 })): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, responder);
    server.on('request', (req, res) => {
      receiver.inFlightNow += 1;
      receiver.inFlightMax = Math.max(receiver.inFlightMax, receiver.inFlightNow);
      res.on('close', () => {
        receiver.inFlightNow -= 1;
      });
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        };
        receiver.requests.push(request);
        const reply = receiver.responder(request, receiver.requests.length - 1);
        if (reply === 'hang') return;
        setTimeout(
          () => res.writeHead(reply.status, reply.headers).end(reply.body ?? ''),
          reply.afterMs ?? 0,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Requests being answered right now; a hanging one counts until the client gives up. */
  inFlight(): number {
    return this.inFlightNow;
  }

  maxInFlight(): number {
    return this.inFlightMax;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Verifies a request with the reference Standard Webhooks library; throws if it does not verify. */
export function verifyWith(secret: string, request: ReceivedRequest): unknown {
  return new Webhook(secret).verify(request.body, headersOf(request));
}

function headersOf(request: ReceivedRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(', ') : (value ?? ''),
    ]),
  );
}
