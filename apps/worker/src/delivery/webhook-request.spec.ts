import { SecretBoxError, encryptSecret, generateWebhookSecret } from '@herald/delivery';
import { webhookRequestBody } from '@herald/domain';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { buildWebhookRequest, type WebhookRequestInput } from './webhook-request';

describe(buildWebhookRequest.name, () => {
  const key = randomBytes(32);
  const webhookId = '5f0c3a52-7a61-4d0e-9d38-1a3c2b7e0001';
  const current = generateWebhookSecret();
  const previous = generateWebhookSecret();
  const seal = (secret: string, id = webhookId) =>
    encryptSecret(secret, key, { associatedData: id });
  const event = {
    id: '0d6f6f0e-8f0b-4c39-9d43-2b4a4a0b1e01',
    position: 7n,
    type: 'EntityChanged',
    data: {
      entity: 'Contact',
      entityId: '42',
      operation: 'Update',
      data: { z: 1, a: { y: 2, b: 3 } },
      actorUserId: 'u-1',
      occurredAt: '2030-01-01T12:00:00.000Z',
      idempotencyKey: null,
    },
    recordedAt: new Date('2030-01-01T12:00:01.000Z'),
  };
  const now = new Date('2030-01-01T12:05:00.000Z');
  const input = (webhook: Partial<WebhookRequestInput['webhook']> = {}): WebhookRequestInput => ({
    event,
    webhook: {
      id: webhookId,
      secretRef: seal(current),
      previousSecretRef: null,
      previousValidUntil: null,
      ...webhook,
    },
    secretKey: key,
    now,
    userAgent: 'Herald/9.9.9',
  });
  const verify = (secret: string, request: ReturnType<typeof buildWebhookRequest>) => () =>
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);

  beforeAll(() => {
    jest.useFakeTimers({ now, doNotFake: ['setTimeout', 'setImmediate', 'nextTick'] });
  });
  afterAll(() => {
    jest.useRealTimers();
  });

  it('sends the event’s deterministic body under its id, signed with the current secret', () => {
    const sut = buildWebhookRequest(input());
    expect(sut.body).toBe(webhookRequestBody(event));
    expect(sut.headers).toMatchObject({
      'webhook-id': event.id,
      'webhook-timestamp': String(now.getTime() / 1000),
      'user-agent': 'Herald/9.9.9',
      'content-type': 'application/json',
    });
    expect(verify(current, sut)).not.toThrow();
    expect(verify(previous, sut)).toThrow();
  });

  it('adds the previous secret’s signature while it is valid, and only then', () => {
    const during = buildWebhookRequest(
      input({ previousSecretRef: seal(previous), previousValidUntil: new Date(now.getTime() + 1) }),
    );
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verify(current, during)).not.toThrow();
    expect(verify(previous, during)).not.toThrow();

    const after = buildWebhookRequest(
      input({ previousSecretRef: seal(previous), previousValidUntil: now }),
    );
    expect(after.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verify(previous, after)).toThrow();
  });

  it('refuses a box sealed for another webhook (SecretBoxError, without the secret)', () => {
    const other = seal(current, '5f0c3a52-7a61-4d0e-9d38-1a3c2b7e0002');
    let thrown: unknown;
    try {
      buildWebhookRequest(input({ secretRef: other }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SecretBoxError);
    expect((thrown as Error).message).not.toContain(current.slice('whsec_'.length));
  });
});
