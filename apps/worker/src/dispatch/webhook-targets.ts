import { preparedQuery } from '@herald/event-store';
import { subscriptionMatches, type Matchable, type UserRole } from '@herald/domain';
import type { DataSource, EntityManager } from 'typeorm';

/** A webhook an event goes to, and whether its owner's API access is on right now. */
export interface WebhookTarget {
  webhookId: string;
  ownerAccessOn: boolean;
}

interface CandidateRow {
  id: string;
  owner_id: string;
  entity: string;
  operation: string;
  owner_role: UserRole;
  owner_access_on: boolean;
}

/**
 * Webhooks that are on and not deleted, with the owner's role and API access. An owner without a
 * `users` or `api_key_states` row counts as a non-admin without access: the delivery is recorded
 * as skipped rather than dropped silently.
 */
const CANDIDATES = `
  SELECT w.id, w.owner_id, w.entity, w.operation,
         COALESCE(u.role, 'user') AS owner_role,
         COALESCE(k.enabled, false) AS owner_access_on
    FROM webhooks w
    LEFT JOIN users u ON u.id = w.owner_id
    LEFT JOIN api_key_states k ON k.user_id = w.owner_id
   WHERE w.status = 'on' AND w.deleted_at IS NULL`;

/**
 * The subscriptions that want the event and existed before it (subscribed at a lower position: a
 * webhook created while the relay lags does not receive older events). SQL narrows them with the partial index `webhooks_matching`
 * (entity and operation, each exact or `*`), so the cost follows the number of matches, not of
 * subscriptions; `subscriptionMatches` then applies the rest of the rule (the ApiKey entity's
 * visibility: the subject user's own webhooks, or an admin's).
 */
export async function matchingWebhooks(
  db: DataSource | EntityManager,
  matchable: Matchable,
  eventPosition: bigint | string,
): Promise<WebhookTarget[]> {
  const rows = await preparedQuery<CandidateRow>(
    db,
    `${CANDIDATES} AND w.entity IN ($1, '*') AND w.operation IN ($2, '*')
       AND w.subscribed_position < $3 ORDER BY w.id`,
    [matchable.entity, matchable.operation, eventPosition.toString()],
  );
  return rows
    .filter((row) =>
      subscriptionMatches(
        {
          entity: row.entity,
          operation: row.operation,
          status: 'on',
          ownerId: row.owner_id,
          ownerRole: row.owner_role,
        },
        matchable,
      ),
    )
    .map(toTarget);
}

/** A ping goes to its own webhook only, and only while that webhook is on and not deleted. */
export async function pingedWebhook(
  db: DataSource | EntityManager,
  webhookId: string,
): Promise<WebhookTarget[]> {
  const rows = await preparedQuery<CandidateRow>(db, `${CANDIDATES} AND w.id = $1`, [webhookId]);
  return rows.map(toTarget);
}

function toTarget(row: CandidateRow): WebhookTarget {
  return { webhookId: row.id, ownerAccessOn: row.owner_access_on };
}
