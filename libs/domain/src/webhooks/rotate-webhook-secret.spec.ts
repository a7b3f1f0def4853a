import { InvalidInput } from '../errors';
import { decideRotateWebhookSecret, type RotateWebhookSecret } from './rotate-webhook-secret';
import { givenWebhook } from './testing/given-webhook-events';
import { actors } from './testing/webhook-actors';
import {
  SECRET_REF_1,
  SECRET_REF_2,
  WEBHOOK_ID,
  newWebhookSecretRotated,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';

describe(decideRotateWebhookSecret.name, () => {
  const command: RotateWebhookSecret = {
    ...actors.owner,
    webhookId: WEBHOOK_ID,
    secretRef: SECRET_REF_2,
    previousValidUntil: '2030-01-02T01:00:00+01:00',
  };

  it('makes the current secret the previous one, valid until the given time (in UTC)', () => {
    expect(givenWebhook(newWebhookSubscribed()).when(decideRotateWebhookSecret, command)).toEqual([
      {
        type: 'WebhookSecretRotated',
        data: {
          webhookId: WEBHOOK_ID,
          secretRef: SECRET_REF_2,
          previousSecretRef: SECRET_REF_1,
          previousValidUntil: '2030-01-02T00:00:00.000Z',
        },
      },
    ]);
  });

  it('replaces the secret of the last rotation on a second rotation', () => {
    const [event] = givenWebhook(newWebhookSubscribed(), newWebhookSecretRotated()).when(
      decideRotateWebhookSecret,
      { ...command, secretRef: 'v1.third' },
    );

    expect(event.data).toMatchObject({ secretRef: 'v1.third', previousSecretRef: SECRET_REF_2 });
  });

  it.each([
    ['secretRef', { secretRef: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
    ['secretRef', { secretRef: '' }],
    ['secretRef', { secretRef: SECRET_REF_1 }],
    ['previousValidUntil', { previousValidUntil: 'tomorrow' }],
    ['previousValidUntil', { previousValidUntil: '2030-01-02T00:00:00' }],
  ])('rejects an invalid %s', (field, change) => {
    const when = () =>
      givenWebhook(newWebhookSubscribed()).when(decideRotateWebhookSecret, {
        ...command,
        ...change,
      });

    expect(when).toThrow(InvalidInput);
    expect(when).toThrow(expect.objectContaining({ field }));
  });
});
