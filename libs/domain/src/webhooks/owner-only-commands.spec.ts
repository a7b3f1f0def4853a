import { DEFAULT_CATALOG } from '../catalog/catalog';
import { ActionNotAllowed, WebhookNotFound } from '../errors';
import type { WebhookEvent } from '../events/webhook-event';
import { decideDeleteWebhook } from './delete-webhook';
import { decidePingWebhook } from './ping-webhook';
import { decideRotateWebhookSecret } from './rotate-webhook-secret';
import { givenWebhook } from './testing/given-webhook-events';
import { actors } from './testing/webhook-actors';
import {
  SECRET_REF_2,
  WEBHOOK_ID,
  newWebhookDeleted,
  newWebhookStatusChanged,
  newWebhookSubscribed,
} from './testing/webhook-event-factories';
import { decideUpdateWebhook } from './update-webhook';
import type { WebhookActor } from './webhook-actor';
import type { WebhookState } from './webhook-state';

type OwnerOnlyDecide = (actor: WebhookActor, state: WebhookState) => readonly WebhookEvent[];

/** The commands only a webhook's owner may give, each with a valid command that changes something. */
const ownerOnlyCommands: [string, OwnerOnlyDecide][] = [
  [
    decideUpdateWebhook.name,
    (actor, state) =>
      decideUpdateWebhook(
        { ...actor, webhookId: WEBHOOK_ID, changes: { entity: 'Job' }, catalog: DEFAULT_CATALOG },
        state,
      ),
  ],
  [
    decideRotateWebhookSecret.name,
    (actor, state) =>
      decideRotateWebhookSecret(
        {
          ...actor,
          webhookId: WEBHOOK_ID,
          secretRef: SECRET_REF_2,
          previousValidUntil: '2030-01-02T00:00:00Z',
        },
        state,
      ),
  ],
  [
    decideDeleteWebhook.name,
    (actor, state) => decideDeleteWebhook({ ...actor, webhookId: WEBHOOK_ID }, state),
  ],
  [
    decidePingWebhook.name,
    (actor, state) => decidePingWebhook({ ...actor, webhookId: WEBHOOK_ID }, state),
  ],
];

describe.each(ownerOnlyCommands)('%s (owner only)', (_, decide) => {
  const subscribed = newWebhookSubscribed();

  it('succeeds for the owner', () => {
    expect(decide(actors.owner, givenWebhook(subscribed).state)).toHaveLength(1);
  });

  it('succeeds for the owner whatever the status', () => {
    const { state } = givenWebhook(subscribed, newWebhookStatusChanged({ status: 'off' }));

    expect(decide(actors.owner, state)).toHaveLength(1);
  });

  it('answers WebhookNotFound to another user, never revealing the webhook', () => {
    const when = () => decide(actors.otherUser, givenWebhook(subscribed).state);

    expect(when).toThrow(WebhookNotFound);
    expect(when).toThrow(expect.objectContaining({ kind: 'not_found', webhookId: WEBHOOK_ID }));
  });

  it('answers ActionNotAllowed to an admin, who may see but not change it', () => {
    const when = () => decide(actors.admin, givenWebhook(subscribed).state);

    expect(when).toThrow(ActionNotAllowed);
    expect(when).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('answers ActionNotAllowed to the system', () => {
    expect(() => decide(actors.system, givenWebhook(subscribed).state)).toThrow(ActionNotAllowed);
  });

  it('answers WebhookNotFound when the webhook does not exist', () => {
    expect(() => decide(actors.owner, givenWebhook().state)).toThrow(WebhookNotFound);
  });

  it.each(Object.entries(actors))(
    'answers WebhookNotFound to %s once it is deleted',
    (_, actor) => {
      const { state } = givenWebhook(subscribed, newWebhookDeleted());

      expect(() => decide(actor, state)).toThrow(WebhookNotFound);
    },
  );
});
