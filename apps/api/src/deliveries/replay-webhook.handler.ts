import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  API_KEY_ENTITY,
  InvalidInput,
  requireIsoTimestamp,
  subscriptionMatches,
  toMatchable,
  webhookEventType,
  WebhookNotFound,
  type UserRole,
} from '@herald/domain';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { problem } from '../common/problem';
import { ProblemException } from '../common/problem.exception';
import { DeliveryEnqueuer } from '../queues/delivery-enqueuer';
import { ReplayWebhookCommand } from './replay-webhook.command';

/** The most events one replay request may send; a larger range must be split. */
export const MAX_REPLAY_EVENTS = 10_000;

interface WebhookFilterRow {
  entity: string;
  operation: string;
  status: 'on' | 'off';
  owner_id: string;
  owner_role: UserRole;
}

interface CandidateRow {
  id: string;
  type: string;
  entity: string | null;
  operation: string | null;
  user_id: string | null;
}

/**
 * Events that may match, narrowed in SQL with the same rules as dispatch (entity or `*`, operation
 * or `*`, ApiKey events only about the owner unless the owner is an admin); each candidate is then
 * checked with the domain's `subscriptionMatches`, so replay can never send more than dispatch would.
 * Pings are not replayed: they are addressed to one webhook at one moment.
 */
const CANDIDATES = `
  SELECT id, type, data->>'entity' AS entity, data->>'operation' AS operation,
         data->>'userId' AS user_id
    FROM events
   WHERE recorded_at >= $1 AND recorded_at < $2
     AND (
       (type = 'EntityChanged'
         AND ($3 = '*' OR data->>'entity' = $3)
         AND ($4 = '*' OR data->>'operation' = $4))
       OR (type IN ('KeyRegenerated', 'KeyCleared')
         AND $3 IN ('*', '${API_KEY_ENTITY}')
         AND ($4 = '*' OR ($4 = 'Regenerate' AND type = 'KeyRegenerated')
                       OR ($4 = 'Clear' AND type = 'KeyCleared'))
         AND ($5 = 'admin' OR data->>'userId' = $6))
     )
   ORDER BY position
   LIMIT $7`;

/**
 * Replays a time range to one webhook: one delivery row per matching event (created when the
 * event never matched before, otherwise made `pending` again under a new generation), all in one
 * statement, then enqueued. Receivers see each event's original webhook-id and body.
 */
@CommandHandler(ReplayWebhookCommand)
export class ReplayWebhookHandler implements ICommandHandler<ReplayWebhookCommand> {
  constructor(
    private readonly db: DataSource,
    private readonly enqueuer: DeliveryEnqueuer,
  ) {}

  async execute(command: ReplayWebhookCommand): Promise<{ count: number }> {
    const { from, to } = this.range(command);
    const webhooks: WebhookFilterRow[] = await this.db.query(
      `SELECT w.entity, w.operation, w.status, w.owner_id, u.role AS owner_role
         FROM webhooks w JOIN users u ON u.id = w.owner_id
        WHERE w.id = $1 AND w.deleted_at IS NULL`,
      [command.webhookId],
    );
    const webhook = webhooks[0];
    if (!webhook) throw new WebhookNotFound(command.webhookId);
    if (webhook.status !== 'on') {
      throw new ProblemException(
        problem(409, 'webhook-off', 'The webhook is off; turn it on before replaying'),
      );
    }

    const candidates: CandidateRow[] = await this.db.query(CANDIDATES, [
      from,
      to,
      webhook.entity,
      webhook.operation,
      webhook.owner_role,
      webhook.owner_id,
      MAX_REPLAY_EVENTS + 1,
    ]);
    if (candidates.length > MAX_REPLAY_EVENTS) {
      throw new ProblemException(
        problem(
          422,
          'replay-range-too-large',
          `The range holds more than ${MAX_REPLAY_EVENTS} matching events; replay it in smaller ranges`,
          {
            errors: [
              { field: 'to', message: `must keep the range to ${MAX_REPLAY_EVENTS} events` },
            ],
          },
        ),
      );
    }
    const subscription = {
      entity: webhook.entity,
      operation: webhook.operation,
      status: webhook.status,
      ownerId: webhook.owner_id,
      ownerRole: webhook.owner_role,
    };
    const matched = candidates.flatMap((candidate) => {
      const event = {
        type: candidate.type,
        data: {
          entity: candidate.entity,
          operation: candidate.operation,
          userId: candidate.user_id,
        },
      };
      const matchable = toMatchable(event);
      const type = webhookEventType(event);
      return matchable && type && subscriptionMatches(subscription, matchable)
        ? [{ eventId: candidate.id, type }]
        : [];
    });
    if (matched.length === 0) return { count: 0 };

    const rows: { id: string; generation: number }[] = await this.db.query(
      `INSERT INTO deliveries (id, event_id, webhook_id, type, status, next_attempt_at)
       SELECT m.id, m.event_id, $1, m.type, 'pending', now()
         FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS m(id, event_id, type)
       ON CONFLICT (event_id, webhook_id) DO UPDATE
          SET status = 'pending', reason = NULL, generation = deliveries.generation + 1,
              round_attempts = 0,
              next_attempt_at = now(), updated_at = now()
       RETURNING id, generation`,
      [
        command.webhookId,
        matched.map(() => randomUUID()),
        matched.map((match) => match.eventId),
        matched.map((match) => match.type),
      ],
    );
    await this.enqueuer.enqueue(rows);
    return { count: rows.length };
  }

  private range(command: ReplayWebhookCommand): { from: string; to: string } {
    const from = withinStoredYears('from', requireIsoTimestamp('from', command.from));
    const to =
      command.to === undefined
        ? new Date().toISOString()
        : withinStoredYears('to', requireIsoTimestamp('to', command.to));
    if (Date.parse(from) >= Date.parse(to)) throw new InvalidInput('to', 'must be after from');
    return { from, to };
  }
}

/** PostgreSQL's timestamptz cannot hold every ISO-8601 instant; refuse those rather than fail in SQL. */
function withinStoredYears(field: string, iso: string): string {
  const year = new Date(iso).getUTCFullYear();
  if (!(year >= 1970 && year <= 9999))
    throw new InvalidInput(field, 'must be between 1970 and 9999');
  return iso;
}
