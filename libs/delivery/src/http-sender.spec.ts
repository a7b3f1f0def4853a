import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { interceptors, type Agent } from 'undici';
import {
  startHttpServer,
  startSentinel,
  unusedPort,
  type LocalHttpServer,
} from '../test/local-servers';
import { createDeliveryAgent } from './delivery-agent';
import { sendWebhook, type SendWebhookInput } from './http-sender';
import { classifyResponse } from './retry-policy';

const body = JSON.stringify({ type: 'Contact.Update', data: { entityId: '42' } });
const headers = { 'content-type': 'application/json', 'webhook-id': 'evt_1' };
/** How late past its deadline an attempt may end: timer and event-loop slack. */
const SLACK_MS = 200;

describe(sendWebhook.name, () => {
  let agent: Agent;
  const servers: LocalHttpServer[] = [];

  async function serve(handler: (res: ServerResponse) => void): Promise<LocalHttpServer> {
    const server = await startHttpServer((req, res) => req.on('end', () => handler(res)).resume());
    servers.push(server);
    return server;
  }

  function send(url: string, overrides: Partial<SendWebhookInput> = {}) {
    return sendWebhook({ url, headers, body, deadlineMs: 2000, dispatcher: agent, ...overrides });
  }

  beforeEach(() => {
    agent = createDeliveryAgent({ allowPrivateTargets: true });
  });

  afterEach(async () => {
    await agent.destroy();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('POSTs the body and headers exactly as given; 200 succeeds', async () => {
    const server = await serve((res) => res.end('thanks'));

    const sut = await send(server.url);

    expect(sut).toEqual({
      outcome: 'succeeded',
      statusCode: 200,
      error: null,
      durationMs: expect.any(Number),
      responseBody: 'thanks',
      retryAfterSeconds: null,
    });
    const [received] = server.requests;
    expect(received?.req.method).toBe('POST');
    expect(received?.body.toString()).toBe(body);
    expect(received?.req.headers).toMatchObject(headers);
  });

  it('204 succeeds', async () => {
    const server = await serve((res) => res.writeHead(204).end());

    expect(await send(server.url)).toMatchObject({
      outcome: 'succeeded',
      statusCode: 204,
      responseBody: '',
    });
  });

  it('does not follow a 302: it fails, and the redirect target sees no request', async () => {
    const target = await serve((res) => res.end('followed'));
    const redirecting = await serve((res) =>
      res.writeHead(302, { location: target.url }).end('moved'),
    );

    const sut = await send(redirecting.url);

    expect(sut).toMatchObject({
      outcome: 'failed',
      statusCode: 302,
      error: null,
      responseBody: 'moved',
    });
    expect(classifyResponse(sut.statusCode, sut.error)).toBe('retry');
    expect(target.connections()).toBe(0);
    expect(target.requests).toHaveLength(0);
  });

  it('does not follow a redirect even through a dispatcher composed with the redirect interceptor', async () => {
    const target = await serve((res) => res.end('followed'));
    const redirecting = await serve((res) => res.writeHead(307, { location: target.url }).end());

    const sut = await send(redirecting.url, {
      dispatcher: agent.compose(interceptors.redirect({ maxRedirections: 3 })),
    });

    expect(sut).toMatchObject({ outcome: 'failed', statusCode: 307 });
    expect(target.requests).toHaveLength(0);
  });

  it('500 fails with its body for the log', async () => {
    const server = await serve((res) => res.writeHead(500).end('boom'));

    const sut = await send(server.url);

    expect(sut).toMatchObject({
      outcome: 'failed',
      statusCode: 500,
      error: null,
      responseBody: 'boom',
    });
    expect(classifyResponse(sut.statusCode, sut.error)).toBe('retry');
  });

  it('410 fails and classifies as gone', async () => {
    const server = await serve((res) => res.writeHead(410).end());

    const sut = await send(server.url);

    expect(sut).toMatchObject({ outcome: 'failed', statusCode: 410, error: null });
    expect(classifyResponse(sut.statusCode, sut.error)).toBe('gone');
  });

  it.each([
    [429, '30', 30],
    [503, '7', 7],
    [429, 'soon', null],
  ])('%i with Retry-After %p reports %p seconds', async (status, retryAfter, expected) => {
    const server = await serve((res) => res.writeHead(status, { 'retry-after': retryAfter }).end());

    expect(await send(server.url)).toMatchObject({
      outcome: 'failed',
      statusCode: status,
      retryAfterSeconds: expected,
    });
  });

  it('reads a Retry-After HTTP-date', async () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    const server = await serve((res) => res.writeHead(429, { 'retry-after': inAMinute }).end());

    const { retryAfterSeconds } = await send(server.url);

    expect(retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(retryAfterSeconds).toBeLessThanOrEqual(61);
  });

  it('ignores Retry-After on statuses other than 429 and 503', async () => {
    const server = await serve((res) => res.writeHead(500, { 'retry-after': '30' }).end());

    expect(await send(server.url)).toMatchObject({ statusCode: 500, retryAfterSeconds: null });
  });

  it('gives up on a receiver that never answers, at the deadline', async () => {
    const server = await serve(() => undefined);
    const started = performance.now();

    const sut = await send(server.url, { deadlineMs: 500 });

    const elapsed = performance.now() - started;
    expect(sut).toMatchObject({ outcome: 'failed', statusCode: null, error: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThanOrEqual(500 + SLACK_MS);
    expect(sut.durationMs).toBeLessThanOrEqual(500 + SLACK_MS);
  });

  it('gives up at the deadline while the connection is still being made', async () => {
    // undici honours an abort only once a request has a socket, so a connect that hangs (a
    // blackholed address, a listener that never accepts, a name that never resolves) would hold
    // the attempt until undici's own 10 s connect timeout.
    const hanging = createDeliveryAgent({
      allowPrivateTargets: true,
      lookup: () => new Promise(() => undefined),
    });
    const started = performance.now();

    const sut = await send('http://never-resolves.test/', { deadlineMs: 500, dispatcher: hanging });

    const elapsed = performance.now() - started;
    void hanging.destroy();
    expect(sut).toMatchObject({ outcome: 'failed', statusCode: null, error: 'timeout' });
    expect(elapsed).toBeLessThanOrEqual(500 + SLACK_MS);
    expect(sut.durationMs).toBeLessThanOrEqual(500 + SLACK_MS);
  });

  it('ends a 1 byte/s trickle by the deadline, keeping what arrived', async () => {
    const timers: NodeJS.Timeout[] = [];
    const server = await serve((res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('a');
      timers.push(setInterval(() => res.write('b'), 1000));
    });
    const started = performance.now();

    const sut = await send(server.url, { deadlineMs: 1500 });

    const elapsed = performance.now() - started;
    timers.forEach(clearInterval);
    expect(sut).toMatchObject({
      outcome: 'failed',
      statusCode: 200,
      error: 'timeout',
      responseBody: 'ab',
    });
    expect(classifyResponse(sut.statusCode, sut.error)).toBe('retry');
    expect(elapsed).toBeLessThanOrEqual(1500 + SLACK_MS);
  });

  it('keeps at most 64 KiB of a 10 MB body, and does not wait for the rest', async () => {
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(Buffer.alloc(10 * 1024 * 1024, 'x'));
    });
    const started = performance.now();

    const sut = await send(server.url);

    expect(sut.outcome).toBe('succeeded');
    expect(Buffer.byteLength(sut.responseBody)).toBe(64 * 1024);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('keeps at most maxResponseBytes', async () => {
    const server = await serve((res) => res.end('0123456789abcdef'));

    expect(await send(server.url, { maxResponseBytes: 10 })).toMatchObject({
      responseBody: '0123456789',
    });
  });

  it('keeps a body of exactly the limit whole', async () => {
    const server = await serve((res) => res.end('0123456789'));

    expect(await send(server.url, { maxResponseBytes: 10 })).toMatchObject({
      outcome: 'succeeded',
      responseBody: '0123456789',
    });
  });

  it('stores NUL bytes of the response as U+FFFD, which PostgreSQL text accepts', async () => {
    const server = await serve((res) => res.end('a\u0000b'));

    expect((await send(server.url)).responseBody).toBe('a\uFFFDb');
  });

  it('reports a refused connection', async () => {
    const port = await unusedPort();

    expect(await send(`http://127.0.0.1:${port}/`)).toMatchObject({
      outcome: 'failed',
      statusCode: null,
      error: 'connection refused',
      responseBody: '',
    });
  });

  it('reports a reset connection', async () => {
    const server = await startHttpServer((req) => req.socket.resetAndDestroy());
    servers.push(server);

    expect(await send(server.url)).toMatchObject({
      outcome: 'failed',
      statusCode: null,
      error: 'connection reset',
    });
  });

  it('reports a connection closed before any answer', async () => {
    const server = await startHttpServer((req) => req.socket.destroy());
    servers.push(server);

    const sut = await send(server.url);

    expect(sut).toMatchObject({ outcome: 'failed', statusCode: null });
    expect(['connection closed', 'connection reset']).toContain(sut.error);
  });

  it('reports an SSRF refusal, and nothing reaches the target', async () => {
    const sentinel = await startSentinel();
    const guarded = createDeliveryAgent({
      allowPrivateTargets: false,
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    });

    const sut = await send(`http://evil.test:${sentinel.port}/`, { dispatcher: guarded });

    expect(sut).toMatchObject({ outcome: 'failed', statusCode: null });
    expect(sut.error).toBe('ssrf: destination not allowed');
    expect(sentinel.connections()).toBe(0);
    await guarded.close();
    await sentinel.close();
  });

  it('reports a name that does not resolve', async () => {
    const failing = createDeliveryAgent({
      allowPrivateTargets: false,
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
      },
    });

    expect(await send('http://nowhere.test/', { dispatcher: failing })).toMatchObject({
      outcome: 'failed',
      error: 'dns: not found',
    });
    await failing.close();
  });

  it('never throws, even for a URL undici cannot use', async () => {
    const sut = await send('not a url');

    expect(sut.outcome).toBe('failed');
    expect(sut.error).toMatch(/^error: /);
  });

  it('reuses the keep-alive connection for the next attempt', async () => {
    const server = await serve((res) => res.end('ok'));

    await send(server.url);
    // undici hands the socket back to its pool a tick after the body ends; a request sent in the
    // same tick would open a second connection.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await send(server.url);

    expect(server.requests).toHaveLength(2);
    expect(server.connections()).toBe(1);
  });
});
