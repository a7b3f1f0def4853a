import type { INestApplicationContext } from '@nestjs/common';
import {
  TEST_ADMIN,
  login,
  newApiUser,
  startWebhookReceiver,
  subscribeWebhook,
  type ApiUser,
  type TestApi,
  type WebhookReceiver,
} from '@herald/testing';
import { bearer } from '@herald/testing/http-assertions';
import { createLoggingTestApi, type LogCapture } from '@herald/testing/log-capture';
import { TEST_SYSTEM_ENV } from '@herald/testing/test-system';
import { createWorker } from '../../apps/worker/src/create-worker';
import { WorkerReadiness } from '../../apps/worker/src/health/worker-readiness';

type LogLine = Record<string, unknown>;

const CORRELATION_ID = 'e2e-trace.4f1c:7';

/** The forms a leaked secret could take: as is, without its fixed prefix, base64, hex. */
function encodings(secret: string): string[] {
  const core = secret.replace(/^(hrld_|hrs_|whsec_)/, '');
  return [
    secret,
    core,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('hex'),
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// First: a Redis that is away leaves ioredis closing sockets for up to 2 s after the app closed.
describe('Lines logged while serving a request', () => {
  it('carry the request’s correlation id (here: the limiter’s warning while Redis is away)', async () => {
    const { api, logs } = await createLoggingTestApi({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      await api.http
        .post('/v1/auth/login')
        .set('x-correlation-id', 'login-trace-1')
        .send({ email: TEST_ADMIN.email, password: 'not-the-password' })
        .expect(401);
      await sleep(50);
      const traced = logs
        .text()
        .split('\n')
        .filter((line) => line.includes('login-trace-1'))
        .map((line) => JSON.parse(line) as LogLine);
      expect(traced).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            level: 'warn',
            context: 'AuthFailureLimiter',
            correlationId: 'login-trace-1',
          }),
          expect.objectContaining({ msg: 'request completed', correlationId: 'login-trace-1' }),
        ]),
      );
      expect(logs.text()).not.toContain('not-the-password');
    } finally {
      await api.close();
    }
  });
});

/**
 * Must hold (issue 4, "Logs"): the API and the worker, both logging as in production, write JSON
 * lines; the correlation id of a request is in its request line, in the metadata of the event it
 * appended, and in the worker's dispatch and delivery lines; no key, secret, password or session
 * token appears in any line.
 */
describe('Structured logs (API + worker, as in production)', () => {
  let api: TestApi;
  let logs: LogCapture;
  let worker: INestApplicationContext;
  let owner: ApiUser;
  let receiver: WebhookReceiver;
  let webhookSecret: string;
  let eventId: string;
  let responseCorrelationId: string | undefined;
  /** label → plaintext: everything that must never be logged. */
  const secrets = new Map<string, string>();
  let lines: LogLine[];
  let rawLines: string[];

  beforeAll(async () => {
    ({ api, logs } = await createLoggingTestApi({ ...TEST_SYSTEM_ENV, HERALD_LOG_LEVEL: 'info' }));
    try {
      worker = await createWorker(api.config);
      for (let tries = 0; !(await worker.get(WorkerReadiness).check()).ready; tries += 1) {
        if (tries > 50) throw new Error('the worker did not become ready');
        await sleep(200);
      }
      secrets.set('admin password', TEST_ADMIN.password);
      secrets.set('admin session', await login(api, TEST_ADMIN.email, TEST_ADMIN.password));
      owner = await newApiUser(api);
      secrets.set('owner password', owner.password);
      secrets.set('owner session', owner.token);
      secrets.set('owner API key', owner.apiKey);

      receiver = await startWebhookReceiver();
      const subscribed = await subscribeWebhook(api, owner.apiKey, {
        url: `${receiver.url}/logs`,
        entity: 'Contact',
        operation: 'Update',
      });
      webhookSecret = subscribed.secret;
      secrets.set('webhook secret', webhookSecret);

      // The same key in X-Api-Key, a session cookie, a secret-looking query parameter: all redacted.
      const change = await api.http
        .post('/v1/entity-changes')
        .set('x-api-key', owner.apiKey)
        .set('cookie', `herald_session=${owner.token}`)
        .set('x-correlation-id', CORRELATION_ID)
        .send({ entity: 'Contact', entityId: 'c-9', operation: 'Update', data: { n: 1 } })
        .expect(202);
      responseCorrelationId = change.headers['x-correlation-id'];
      eventId = (change.body as { events: { eventId: string }[] }).events[0].eventId;
      await receiver.waitForRequests(1, 10_000);
      // The delivery's outcome line is written once the attempt is recorded.
      const deadline = Date.now() + 10_000;
      while (!logs.text().includes(`event ${eventId}) attempt 1: succeeded`)) {
        if (Date.now() > deadline) throw new Error('no delivery outcome line was logged');
        await sleep(50);
      }
      // A sign-in that fails and one that succeeds (bodies with passwords; a Set-Cookie answer).
      await api.http
        .post('/v1/auth/login')
        .send({ email: owner.email, password: 'wrong-password-never-logged' })
        .expect(401);
      secrets.set('wrong password', 'wrong-password-never-logged');
      const signIn = await api.http
        .post('/v1/auth/login')
        .send({ email: owner.email, password: owner.password })
        .expect(200);
      secrets.set('second session', (signIn.body as { token: string }).token);
      await api.http.get('/v1/me').set(bearer(owner.apiKey)).expect(200);
      // A body the parser refuses, before any route: still answered and logged with its id.
      await api.http
        .post('/v1/entity-changes')
        .set('x-api-key', owner.apiKey)
        .set('x-correlation-id', 'bad-body-trace')
        .set('content-type', 'application/json')
        .send('{"entity": ')
        .expect(400)
        .expect('x-correlation-id', 'bad-body-trace');
    } finally {
      await worker?.close();
      await receiver?.close();
    }
    rawLines = logs
      .text()
      .split('\n')
      .filter((line) => line.trim() !== '');
    lines = rawLines.flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  });
  afterAll(() => api?.close());

  it('writes nothing but JSON lines, each with a time, a level name and a message', () => {
    expect(rawLines.length).toBeGreaterThan(20);
    expect(rawLines.filter((line) => !line.startsWith('{'))).toEqual([]);
    expect(lines).toHaveLength(rawLines.length);
    for (const line of lines) {
      expect(typeof line.time).toBe('string');
      expect(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).toContain(line.level);
      expect(typeof line.msg).toBe('string');
    }
    expect(lines.some((line) => line.msg === 'Nest application successfully started')).toBe(true);
  });

  it('answers the caller’s X-Correlation-Id and logs the request line with it', () => {
    expect(responseCorrelationId).toBe(CORRELATION_ID);
    const requestLine = lines.find(
      (line) =>
        line.msg === 'request completed' &&
        (line.req as { url?: string } | undefined)?.url === '/v1/entity-changes',
    );
    expect(requestLine).toMatchObject({
      level: 'info',
      correlationId: CORRELATION_ID,
      req: { id: CORRELATION_ID, method: 'POST' },
      res: { statusCode: 202 },
    });
    expect(typeof requestLine?.responseTime).toBe('number');
  });

  it('puts the same correlation id in the metadata of the event the request appended', async () => {
    const [row] = await api.db.query('SELECT metadata FROM events WHERE id = $1', [eventId]);
    expect(row.metadata).toMatchObject({ correlationId: CORRELATION_ID });
  });

  it('logs a request whose body could not be parsed, with its correlation id', () => {
    expect(lines.find((line) => line.correlationId === 'bad-body-trace')).toMatchObject({
      msg: 'request completed',
      req: { method: 'POST', url: '/v1/entity-changes', headers: { 'x-api-key': '[redacted]' } },
      res: { statusCode: 400 },
    });
  });

  it('carries it into the worker’s dispatch and delivery lines', () => {
    const traced = lines.filter((line) => line.correlationId === CORRELATION_ID);
    expect(traced.find((line) => line.context === 'Dispatch')).toMatchObject({
      level: 'info',
      eventId,
      created: 1,
    });
    expect(traced.find((line) => line.context === 'Deliveries')).toMatchObject({
      level: 'info',
      eventId,
      outcome: 'succeeded',
      attempt: 1,
      deliveryId: expect.any(String),
      webhookId: expect.any(String),
    });
  });

  it('gives a request without a usable X-Correlation-Id a new one, in its answer and its line', async () => {
    const response = await api.http
      .get('/v1/me')
      .set(bearer(owner.apiKey))
      .set('x-correlation-id', 'not ok: spaces and "quotes"')
      .expect(200);
    const generated = response.headers['x-correlation-id'];
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await sleep(50);
    const line = logs
      .text()
      .split('\n')
      .filter((text) => text.includes(generated))
      .map((text) => JSON.parse(text) as LogLine)
      .find((entry) => entry.msg === 'request completed');
    expect(line).toMatchObject({ correlationId: generated, req: { url: '/v1/me' } });
  });

  it('redacts credentials in headers and logs no request body', () => {
    const requestLines = lines.filter((line) => line.msg === 'request completed');
    const withHeaders = (name: string) =>
      requestLines.filter(
        (line) => (line.req as { headers?: Record<string, unknown> }).headers?.[name] !== undefined,
      );
    for (const header of ['authorization', 'x-api-key', 'cookie']) {
      expect(withHeaders(header).length).toBeGreaterThan(0);
      for (const line of withHeaders(header))
        expect((line.req as { headers: Record<string, unknown> }).headers[header]).toBe(
          '[redacted]',
        );
    }
    const signIns = requestLines.filter(
      (line) => (line.res as { headers?: Record<string, unknown> }).headers?.['set-cookie'],
    );
    expect(signIns.length).toBeGreaterThan(0);
    for (const line of signIns)
      expect((line.res as { headers: Record<string, unknown> }).headers['set-cookie']).toBe(
        '[redacted]',
      );
    for (const line of requestLines) expect(line.req).not.toHaveProperty('body');
  });

  it('shows no API key, webhook secret, password or session token in any line', () => {
    expect(secrets.size).toBe(8);
    const text = logs.text();
    const leaked = [...secrets]
      .filter(([, secret]) => encodings(secret).some((form) => text.includes(form)))
      .map(([label]) => label);
    expect(leaked).toEqual([]);
    expect(text).not.toMatch(/whsec_|hrld_[A-Za-z0-9]{8}|hrs_[A-Za-z0-9]{8}/);
  });
});
