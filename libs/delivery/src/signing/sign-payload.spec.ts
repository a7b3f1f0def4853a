import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signPayload } from './sign-payload';
import { buildWebhookHeaders } from './webhook-headers';
import { InvalidWebhookSecret, generateWebhookSecret } from './webhook-secret';

const body = JSON.stringify({
  type: 'Contact.Update',
  timestamp: '2026-11-26T12:00:00.000Z',
  data: { entityId: '42', name: 'Zoë ✓ 東京' },
});
const webhookId = 'evt_01JD9Q4T1M2K3N4P5R6S7T8V9W';
const now = () => Math.floor(Date.now() / 1000);

function headersFor(secrets: string[], timestamp = now()): Record<string, string> {
  return buildWebhookHeaders({ webhookId, timestamp, body, secrets, userAgent: 'Herald/test' });
}

describe(signPayload.name, () => {
  it('verifies with the standardwebhooks reference library', () => {
    const secret = generateWebhookSecret();

    const sut = headersFor([secret]);

    expect(new Webhook(secret).verify(body, sut)).toEqual(JSON.parse(body));
  });

  it('signs a Buffer body exactly like the same bytes as a string', () => {
    const secret = generateWebhookSecret();
    const timestamp = now();

    const fromBuffer = signPayload({
      webhookId,
      timestamp,
      body: Buffer.from(body),
      secrets: [secret],
    });

    expect(fromBuffer).toBe(signPayload({ webhookId, timestamp, body, secrets: [secret] }));
    expect(() =>
      new Webhook(secret).verify(Buffer.from(body), {
        'webhook-id': webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': fromBuffer,
      }),
    ).not.toThrow();
  });

  it('is v1,<base64 HMAC-SHA256 of "id.timestamp.body"> keyed with the decoded secret', () => {
    const key = Buffer.alloc(32, 7);
    const secret = `whsec_${key.toString('base64')}`;

    const sut = signPayload({
      webhookId: 'msg_1',
      timestamp: 1700000000,
      body: '{}',
      secrets: [secret],
    });

    const expected = createHmac('sha256', key).update('msg_1.1700000000.{}').digest('base64');
    expect(sut).toBe(`v1,${expected}`);
  });

  it('during a rotation, signs with each secret, space-separated, and each one verifies', () => {
    const previous = generateWebhookSecret();
    const next = generateWebhookSecret();

    const sut = headersFor([next, previous]);

    expect(sut['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    expect(() => new Webhook(previous).verify(body, sut)).not.toThrow();
    expect(() => new Webhook(next).verify(body, sut)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, sut)).toThrow(
      WebhookVerificationError,
    );
  });

  describe('a receiver rejects', () => {
    const secret = generateWebhookSecret();
    const verify = (payload: string, headers: Record<string, string>) => () =>
      new Webhook(secret).verify(payload, headers);

    it('a tampered body', () => {
      expect(verify(body.replace('42', '43'), headersFor([secret]))).toThrow(
        WebhookVerificationError,
      );
      expect(verify(`${body} `, headersFor([secret]))).toThrow(WebhookVerificationError);
    });

    it('a tampered webhook-id', () => {
      const headers = { ...headersFor([secret]), 'webhook-id': `${webhookId}x` };
      expect(verify(body, headers)).toThrow(WebhookVerificationError);
    });

    it('a tampered webhook-timestamp', () => {
      const signed = headersFor([secret]);
      const headers = {
        ...signed,
        'webhook-timestamp': String(Number(signed['webhook-timestamp']) + 1),
      };
      expect(verify(body, headers)).toThrow(WebhookVerificationError);
    });

    it('a signature made with another secret', () => {
      expect(verify(body, headersFor([generateWebhookSecret()]))).toThrow(WebhookVerificationError);
    });
  });

  it.each([
    ['no secrets', { secrets: [] }, RangeError],
    ['an empty webhook id', { webhookId: '' }, RangeError],
    ['a timestamp in milliseconds with a fraction', { timestamp: 1.5 }, RangeError],
    ['a negative timestamp', { timestamp: -1 }, RangeError],
    ['a secret without the whsec_ prefix', { secrets: ['c2VjcmV0'] }, InvalidWebhookSecret],
  ])('refuses %s', (_, override, error) => {
    const input = {
      webhookId,
      timestamp: now(),
      body,
      secrets: [generateWebhookSecret()],
      ...override,
    };

    expect(() => signPayload(input)).toThrow(error);
  });
});

describe(buildWebhookHeaders.name, () => {
  it('produces the headers of API.md "Webhook request"', () => {
    const secret = generateWebhookSecret();

    const sut = buildWebhookHeaders({
      webhookId,
      timestamp: 1700000000,
      body,
      secrets: [secret],
      userAgent: 'Herald/0.1.0',
    });

    expect(sut).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Herald/0.1.0',
      'webhook-id': webhookId,
      'webhook-timestamp': '1700000000',
      'webhook-signature': signPayload({
        webhookId,
        timestamp: 1700000000,
        body,
        secrets: [secret],
      }),
    });
  });
});
