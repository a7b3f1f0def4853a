import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Webhook } from 'standardwebhooks';
import {
  closedPort,
  startConnectionSentinel,
  startWebhookReceiver,
  type WebhookReceiver,
} from './webhook-receiver';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Headers signed by the reference package itself, independent of Herald's signer. */
function signed(secrets: string[], id: string, body: string): Record<string, string> {
  const timestamp = new Date();
  const signatures = secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body));
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain node:http POST (no keep-alive), so each test controls its own connection. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = 2000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

describe(startWebhookReceiver.name, () => {
  let sut: WebhookReceiver;
  afterEach(() => sut?.close());

  it('records the exact body, the headers and the arrival time, and answers 200 by default', async () => {
    sut = await startWebhookReceiver();
    const body = '{"b":1,  "a":"Zoë ✓"}';
    const before = Date.now();

    const answer = await post(`${sut.url}/hooks/a?x=1`, body, {
      'content-type': 'application/json',
      'x-extra': 'yes',
    });

    expect(answer.status).toBe(200);
    const [received] = await sut.waitForRequests(1, 1000);
    expect(received).toMatchObject({ index: 0, method: 'POST', path: '/hooks/a?x=1', text: body });
    expect(received.rawBody.equals(Buffer.from(body))).toBe(true);
    expect(received.json).toEqual({ a: 'Zoë ✓', b: 1 });
    expect(received.headers['x-extra']).toBe('yes');
    expect(received.receivedAt).toBeGreaterThanOrEqual(before);
  });

  it('verifies a request signed with standardwebhooks and records the result per secret', async () => {
    const secret = newSecret();
    const other = newSecret();
    sut = await startWebhookReceiver({ secrets: [secret, other] });
    const body = JSON.stringify({ type: 'Contact.Create', data: { id: 1 } });

    await post(sut.url, body, signed([secret], 'msg_1', body));

    const [received] = await sut.waitForRequests(1, 1000);
    expect(received.verified).toBe(true);
    expect(received.verifiedBy).toEqual({ [secret]: true, [other]: false });
    expect(received.verificationErrors[other]).toBeDefined();
  });

  it('accepts a request carrying two signatures with either secret', async () => {
    const previous = newSecret();
    const next = newSecret();
    sut = await startWebhookReceiver({ secrets: [previous, next] });
    const body = '{"rotated":true}';

    await post(sut.url, body, signed([next, previous], 'msg_2', body));

    const [received] = await sut.waitForRequests(1, 1000);
    expect(received.verifiedBy).toEqual({ [previous]: true, [next]: true });
  });

  it('does not verify a tampered body, a wrong secret or a missing signature', async () => {
    const secret = newSecret();
    sut = await startWebhookReceiver({ secret });
    const body = '{"n":42}';

    await post(sut.url, '{"n":43}', signed([secret], 'msg_3', body));
    await post(sut.url, body, signed([newSecret()], 'msg_4', body));
    await post(sut.url, body, { 'content-type': 'application/json' });

    const received = await sut.waitForRequests(3, 1000);
    expect(received.map((request) => request.verified)).toEqual([false, false, false]);
  });

  it('verifies recorded requests again with a secret added later', async () => {
    const secret = newSecret();
    sut = await startWebhookReceiver();
    const body = '{}';
    await post(sut.url, body, signed([secret], 'msg_5', body));
    const [received] = await sut.waitForRequests(1, 1000);
    expect(received.verified).toBe(false);

    sut.addSecret(secret);

    expect(received.verified).toBe(true);
  });

  it('answers what respond() says: status, headers, body and delay', async () => {
    sut = await startWebhookReceiver({
      respond: (request) =>
        request.index === 0
          ? { status: 503, headers: { 'retry-after': '1' }, body: { busy: true } }
          : { status: 204, delayMs: 300 },
    });

    const first = await post(sut.url, '{}', {});
    const started = Date.now();
    const second = await post(sut.url, '{}', {});

    expect(first).toMatchObject({ status: 503, body: '{"busy":true}' });
    expect(first.headers['retry-after']).toBe('1');
    expect(second.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("'hang' never answers and 'destroy' drops the connection; both are still recorded", async () => {
    sut = await startWebhookReceiver({
      respond: (request) => (request.path === '/hang' ? 'hang' : 'destroy'),
    });

    await expect(post(`${sut.url}/hang`, '{}', {}, 300)).rejects.toThrow('client timeout');
    await expect(post(`${sut.url}/destroy`, '{}', {})).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await sut.waitForRequests(2, 1000)).map((request) => request.path)).toEqual([
      '/hang',
      '/destroy',
    ]);
  });

  it('closes even while a request hangs', async () => {
    sut = await startWebhookReceiver({ respond: () => 'hang' });
    const pending = post(sut.url, '{}', {}, 5000);
    await sut.waitForRequests(1, 1000);

    await sut.close();

    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('waitForRequests rejects after the timeout, naming what arrived', async () => {
    sut = await startWebhookReceiver();
    await post(sut.url, '{"only":1}', { 'webhook-id': 'msg_6' });

    await expect(sut.waitForRequests(2, 200)).rejects.toThrow(
      /expected 2 request\(s\) within 200 ms, got 1.*msg_6/,
    );
  });

  it('waitForRequests counts only requests that pass the filter', async () => {
    sut = await startWebhookReceiver();
    const waiting = sut.waitForRequests(1, 1000, (request) => request.path === '/b');
    await post(`${sut.url}/a`, '{}', {});
    await post(`${sut.url}/b`, '{}', {});

    expect((await waiting).map((request) => request.path)).toEqual(['/b']);
  });

  it('listens on a port that refused connections before', async () => {
    const port = await closedPort();
    await expect(post(`http://127.0.0.1:${port}`, '{}', {})).rejects.toThrow(/ECONNREFUSED/);

    sut = await startWebhookReceiver({ port });

    expect((await post(`http://127.0.0.1:${port}`, '{}', {})).status).toBe(200);
  });
});

describe(startConnectionSentinel.name, () => {
  it('counts every connection it gets and drops it', async () => {
    const sut = await startConnectionSentinel();
    try {
      expect(sut.connections).toBe(0);
      await expect(post(sut.url, '{}', {})).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(sut.connections).toBe(1);
    } finally {
      await sut.close();
    }
  });
});
