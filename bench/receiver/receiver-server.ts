// The benchmark's webhook receiver, run as its own process (`tsx receiver-server.ts`) so that it
// never shares an event loop with the load generator or Herald. It answers, counts and timestamps;
// it verifies only a sample of signatures (1 in VERIFY_EVERY per path that has a secret), because
// verifying every request would make the receiver, not Herald, the thing being measured.
//
// Webhook traffic: POST /h/<name> on any of the loopback hosts 127.0.0.1 … 127.0.0.<hosts>; only
// /h/ paths are recorded (the references' traffic is answered and counted, not kept).
// Control: /_control/{mode,secret,count,take,stats} (loopback only, like everything here).
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const VERIFY_EVERY = 100;
const port = Number(process.env.BENCH_RECEIVER_PORT);
const hosts = Number(process.env.BENCH_RECEIVER_HOSTS ?? '10');

type Mode = { kind: 'ok' } | { kind: 'fail'; status: number } | { kind: 'sleep'; ms: number };
const modes = new Map<string, Mode>();
const secrets = new Map<string, Buffer>();
const seenPerPath = new Map<string, number>();

// Parallel arrays: a million arrivals cost tens of MB, not hundreds of objects' worth.
let ids: string[] = [];
let paths: string[] = [];
let times: number[] = [];
let answered = 0;
const verification = { checked: 0, failed: 0 };

const nowMs = () => performance.timeOrigin + performance.now();

function record(path: string, id: string): void {
  ids.push(id);
  paths.push(path);
  times.push(nowMs());
}

function verifySample(path: string, headers: http.IncomingHttpHeaders, body: Buffer): void {
  const secret = secrets.get(path);
  if (!secret) return;
  const seen = (seenPerPath.get(path) ?? 0) + 1;
  seenPerPath.set(path, seen);
  if (seen % VERIFY_EVERY !== 1) return;
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body.toString()}`;
  const expected = createHmac('sha256', secret).update(signed).digest();
  const ok = String(headers['webhook-signature'] ?? '')
    .split(' ')
    .map((part) => Buffer.from(part.replace(/^v1,/, ''), 'base64'))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  verification.checked += 1;
  if (!ok) verification.failed += 1;
}

function json(response: http.ServerResponse, value: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

function control(path: string, body: string, response: http.ServerResponse): void {
  const input = body ? JSON.parse(body) : {};
  switch (path) {
    case '/_control/mode':
      modes.set(input.path, input.mode as Mode);
      return json(response, { ok: true });
    case '/_control/secret':
      secrets.set(input.path, Buffer.from(String(input.secret).replace(/^whsec_/, ''), 'base64'));
      return json(response, { ok: true });
    case '/_control/count':
      return json(response, { recorded: ids.length, answered });
    case '/_control/stats':
      return json(response, { answered, ...verification });
    case '/_control/take': {
      const taken = { ids, paths, times };
      ids = [];
      paths = [];
      times = [];
      return json(response, taken);
    }
    default:
      response.writeHead(404).end();
  }
}

function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const path = (request.url ?? '/').split('?')[0];
    const body = Buffer.concat(chunks);
    if (path.startsWith('/_control/')) return control(path, body.toString(), response);
    const mode = modes.get(path) ?? { kind: 'ok' };
    if (mode.kind === 'fail') return void response.writeHead(mode.status).end();
    const answer = () => {
      // An answer after the sender gave up (deadline) is not a delivery.
      if (request.socket.destroyed) return;
      answered += 1;
      if (path.startsWith('/h/')) {
        verifySample(path, request.headers, body);
        record(path, String(request.headers['webhook-id'] ?? ''));
      }
      response.writeHead(200, { 'content-length': '0' }).end();
    };
    if (mode.kind === 'sleep') setTimeout(answer, mode.ms);
    else answer();
  });
}

async function main(): Promise<void> {
  for (let host = 1; host <= hosts; host += 1) {
    const server = http.createServer({ keepAliveTimeout: 60_000 }, handle);
    await new Promise<void>((resolve) => server.listen(port, `127.0.0.${host}`, resolve));
  }
  process.stdout.write('ready\n');
}

void main();
