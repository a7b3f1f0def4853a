import type { JsonObject } from '../events/json';
import { newKeyCleared, newKeyRegenerated, newUserCreated } from '../testing/user-event-factories';
import {
  OWNER_ID,
  WEBHOOK_ID,
  newEntityChanged,
  newWebhookPinged,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';
import { webhookPayload, webhookRequestBody, type DeliverableEvent } from './webhook-payload';

const EVENT_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const recordedAt = new Date('2030-01-01T12:00:01.234Z');

function recorded(event: { type: string; data: unknown }, position = 123n): DeliverableEvent {
  return { ...event, id: EVENT_ID, position, recordedAt };
}

describe(webhookPayload.name, () => {
  it('has the shape API.md documents for an entity change', () => {
    const event = recorded(
      newEntityChanged({
        entity: 'Contact',
        entityId: '42',
        operation: 'Update',
        data: { name: 'Ann Lee' },
        idempotencyKey: 'req-1',
      }),
    );

    expect(webhookPayload(event)).toStrictEqual({
      type: 'Contact.Update',
      timestamp: '2030-01-01T12:00:01.234Z',
      data: {
        eventId: EVENT_ID,
        position: 123,
        entity: 'Contact',
        entityId: '42',
        operation: 'Update',
        actorUserId: OWNER_ID,
        occurredAt: '2030-01-01T12:00:00.000Z',
        data: { name: 'Ann Lee' },
      },
    });
  });

  it('writes the keys in the documented order', () => {
    const body = webhookRequestBody(recorded(newEntityChanged()));

    expect(Object.keys(JSON.parse(body))).toEqual(['type', 'timestamp', 'data']);
    expect(Object.keys(JSON.parse(body).data)).toEqual([
      'eventId',
      'position',
      'entity',
      'entityId',
      'operation',
      'actorUserId',
      'occurredAt',
      'data',
    ]);
  });

  it('describes a regenerated key without its hash', () => {
    const regenerated = newKeyRegenerated({
      userId: 'user-7',
      keyId: 'key-9',
      regeneratedBy: 'admin-1',
    });
    const payload = webhookPayload(recorded(regenerated));

    expect(payload).toStrictEqual({
      type: 'ApiKey.Regenerate',
      timestamp: '2030-01-01T12:00:01.234Z',
      data: {
        eventId: EVENT_ID,
        position: 123,
        userId: 'user-7',
        keyId: 'key-9',
        keyPrefix: regenerated.data.keyPrefix,
        actorUserId: 'admin-1',
      },
    });
    const body = webhookRequestBody(recorded(regenerated));
    expect(body).not.toContain(regenerated.data.keyHash);
    expect(body).not.toContain('keyHash');
  });

  it('describes a cleared key with its reason', () => {
    expect(
      webhookPayload(
        recorded(newKeyCleared({ userId: 'user-7', clearedBy: 'admin-1', reason: 'admin' })),
      ),
    ).toStrictEqual({
      type: 'ApiKey.Clear',
      timestamp: '2030-01-01T12:00:01.234Z',
      data: {
        eventId: EVENT_ID,
        position: 123,
        userId: 'user-7',
        keyId: 'key-1',
        reason: 'admin',
        actorUserId: 'admin-1',
      },
    });
  });

  it('describes a ping by its webhook alone', () => {
    expect(webhookPayload(recorded(newWebhookPinged()))).toStrictEqual({
      type: 'Webhook.Ping',
      timestamp: '2030-01-01T12:00:01.234Z',
      data: { eventId: EVENT_ID, webhookId: WEBHOOK_ID },
    });
  });

  it('refuses events that are never delivered', () => {
    expect(() => webhookPayload(recorded(newUserCreated()))).toThrow(/UserCreated/);
    expect(() => webhookPayload(recorded(newWebhookSubscribed()))).toThrow(/WebhookSubscribed/);
  });

  it('refuses a position that a JSON number cannot hold exactly', () => {
    expect(() => webhookPayload(recorded(newEntityChanged(), 2n ** 53n + 1n))).toThrow(/position/);
  });

  it('accepts the position as a number too', () => {
    expect(webhookPayload(recorded(newEntityChanged(), 7 as unknown as bigint)).data).toMatchObject(
      {
        position: 7,
      },
    );
  });
});

describe(webhookRequestBody.name, () => {
  // Parsed, not a literal: in a literal `__proto__` would set the prototype instead of a key.
  const data = JSON.parse(
    '{"zeta":1,"alpha":{"y":[{"b":2,"a":1},"x"],"x":null},"__proto__":{"polluted":true},"émoji":"😀"}',
  ) as JsonObject;

  it('is the same bytes on every call', () => {
    const event = recorded(newEntityChanged({ data }));

    expect(webhookRequestBody(event)).toBe(webhookRequestBody(event));
  });

  it('is the same bytes whatever order the data’s keys come back in (jsonb reorders them)', () => {
    const reordered = JSON.parse(
      '{"émoji":"😀","alpha":{"x":null,"y":[{"a":1,"b":2},"x"]},"zeta":1,"__proto__":{"polluted":true}}',
    ) as JsonObject;
    const asAppended = recorded(newEntityChanged({ data }));
    const asRead = recorded(newEntityChanged({ data: reordered }));

    expect(webhookRequestBody(asRead)).toBe(webhookRequestBody(asAppended));
  });

  it('sorts the client’s keys at every depth and keeps arrays in order', () => {
    const body = webhookRequestBody(
      recorded(newEntityChanged({ data: JSON.parse('{"b":{"d":1,"c":[3,1,2]},"a":true}') })),
    );

    expect(body).toContain('"data":{"a":true,"b":{"c":[3,1,2],"d":1}}');
  });

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const event = recorded(
      newEntityChanged({ data: JSON.parse('{"__proto__":{"polluted":true}}') }),
    );

    const parsed = JSON.parse(webhookRequestBody(event));

    expect(parsed.data.data).toEqual(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is JSON.stringify of the payload', () => {
    const event = recorded(newEntityChanged());

    expect(webhookRequestBody(event)).toBe(JSON.stringify(webhookPayload(event)));
  });
});
