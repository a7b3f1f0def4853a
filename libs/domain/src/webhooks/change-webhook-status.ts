import { ActionNotAllowed, InvalidInput } from '../errors';
import {
  SYSTEM_STATUS_REASONS,
  isWebhookStatus,
  isWebhookStatusReason,
  type WebhookStatus,
  type WebhookStatusReason,
} from '../events/webhook-status';
import type { WebhookStatusChanged } from '../events/webhook-status-changed';
import type { WebhookActor } from './webhook-actor';
import { requireVisibleWebhook } from './webhook-guards';
import type { ExistingWebhook, WebhookState } from './webhook-state';

/**
 * Turns a webhook on or off. The reason says in what capacity the actor acts:
 * - `owner`: the webhook's owner (whatever their role);
 * - `admin`: any admin, on any webhook;
 * - `endpoint_gone`, `failing`: the system only (`SYSTEM_ACTOR`), and only to turn it off.
 */
export interface ChangeWebhookStatus extends WebhookActor {
  readonly webhookId: string;
  readonly status: WebhookStatus;
  readonly reason: WebhookStatusReason;
}

/**
 * Idempotent: when the webhook already has that status there is no event (and its recorded reason
 * stays the one that set it). A non-admin who does not own the webhook gets `WebhookNotFound`.
 */
export function decideChangeWebhookStatus(
  command: ChangeWebhookStatus,
  state: WebhookState,
): [] | [WebhookStatusChanged] {
  const webhook = requireVisibleWebhook(state, command.webhookId, command);
  if (!isWebhookStatus(command.status)) {
    throw new InvalidInput('status', "must be 'on' or 'off'");
  }
  if (!isWebhookStatusReason(command.reason)) {
    throw new InvalidInput('reason', "must be 'admin', 'owner', 'endpoint_gone' or 'failing'");
  }
  requireAllowed(command, webhook);
  if (webhook.status === command.status) {
    return [];
  }
  return [
    {
      type: 'WebhookStatusChanged',
      data: {
        webhookId: webhook.webhookId,
        status: command.status,
        changedBy: command.actorId,
        reason: command.reason,
      },
    },
  ];
}

function requireAllowed(command: ChangeWebhookStatus, webhook: ExistingWebhook): void {
  const systemReason = SYSTEM_STATUS_REASONS.includes(command.reason);
  if (command.actorRole === 'system') {
    if (!systemReason || command.status !== 'off') {
      throw new ActionNotAllowed(
        "The system can only turn a webhook off, with reason 'endpoint_gone' or 'failing'",
      );
    }
    return;
  }
  if (systemReason) {
    throw new ActionNotAllowed(`Only the system changes a status with reason '${command.reason}'`);
  }
  if (command.reason === 'admin' && command.actorRole !== 'admin') {
    throw new ActionNotAllowed("Only an admin changes a status with reason 'admin'");
  }
  if (command.reason === 'owner' && command.actorId !== webhook.ownerId) {
    throw new ActionNotAllowed("Only the webhook's owner changes its status with reason 'owner'");
  }
  // An admin's "off" is a decision about the owner; the owner must not simply undo it.
  if (
    command.status === 'on' &&
    webhook.status === 'off' &&
    webhook.statusReason === 'admin' &&
    command.actorRole !== 'admin'
  ) {
    throw new ActionNotAllowed(
      'An admin turned this webhook off; only an admin can turn it on again',
    );
  }
}
