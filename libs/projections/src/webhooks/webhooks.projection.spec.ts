import {
  DEFAULT_CATALOG,
  SYSTEM_ACTOR,
  decideChangeWebhookStatus,
  decideDeleteWebhook,
  decidePingWebhook,
  decideRotateWebhookSecret,
  decideSubscribeWebhook,
  decideUpdateWebhook,
  evolveWebhook,
  initialWebhookState,
  webhookStream,
  type DomainEvent,
  type WebhookActor,
  type WebhookState,
} from '@herald/domain';
import { PostgresEventStore, type RecordedEvent } from '@herald/event-store';
import { WebhooksAndDeliveries1795695500000 } from '@herald/event-store/migrations/1795695500000-WebhooksAndDeliveries';
import { createTestDatabase, type TestDatabase } from '@herald/testing/test-database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { allProjections } from '../all-projections';
import { heraldDataSourceOptions } from '../data-source-options';
import { rebuildProjections } from '../rebuild-projections';
import { WebhookRecord } from './webhook.record';
import { webhooksProjection } from './webhooks.projection';

let database: TestDatabase;
let dataSource: DataSource;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = new DataSource(heraldDataSourceOptions(database.url));
  await dataSource.initialize();
  await ensureWebhooksTable(dataSource);
  store = new PostgresEventStore(dataSource, [...allProjections]);
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

/**
 * Until the WebhooksAndDeliveries migration is listed in `migrations/index.ts` (owned elsewhere),
 * the template database lacks its tables: apply it here. A no-op once it is listed.
 */
async function ensureWebhooksTable(on: DataSource): Promise<void> {
  const [{ exists }] = await on.query(`SELECT to_regclass('webhooks') IS NOT NULL AS exists`);
  if (exists) return;
  const runner = on.createQueryRunner();
  try {
    await new WebhooksAndDeliveries1795695500000().up(runner);
  } finally {
    await runner.release();
  }
}

const owner: WebhookActor = { actorId: randomUUID(), actorRole: 'user' };
const otherUser: WebhookActor = { actorId: randomUUID(), actorRole: 'user' };
const admin: WebhookActor = { actorId: randomUUID(), actorRole: 'admin' };

/** What a command handler does: fold the stream, decide, append at the version decided on. */
async function execute<Command>(
  webhookId: string,
  decide: (command: Command, state: WebhookState) => readonly DomainEvent[],
  command: Command,
): Promise<RecordedEvent[]> {
  const stream = webhookStream(webhookId);
  const { state, currentVersion } = await store.aggregate(stream, {
    initialState: initialWebhookState,
    evolve: evolveWebhook,
  });
  const { events } = await store.append(stream, decide(command, state), {
    expectedVersion: currentVersion,
  });
  return events;
}

function subscribe(
  webhookId: string,
  actor: WebhookActor,
  filter: Partial<{ entity: string; operation: string; status: 'on' | 'off' }> = {},
) {
  return execute(webhookId, decideSubscribeWebhook, {
    ...actor,
    webhookId,
    url: `https://receiver.example.com/${webhookId}`,
    entity: 'Contact',
    operation: 'Update',
    secretRef: `v1.sealed-${webhookId}`,
    catalog: DEFAULT_CATALOG,
    ...filter,
  });
}

/** Every column of every row, as PostgreSQL returns them, in a stable order. */
function webhookRows(): Promise<Record<string, unknown>[]> {
  return dataSource.query('SELECT * FROM webhooks ORDER BY id');
}

describe('webhooksProjection', () => {
  const first = randomUUID();
  const second = randomUUID();
  const third = randomUUID();
  const recordedAt: Record<string, Date[]> = { [first]: [], [second]: [], [third]: [] };

  beforeAll(async () => {
    const track = async (webhookId: string, events: Promise<RecordedEvent[]>) => {
      recordedAt[webhookId].push(...(await events).map((event) => event.recordedAt));
    };
    await track(first, subscribe(first, owner));
    await track(second, subscribe(second, otherUser, { entity: 'ApiKey', operation: '*' }));
    await track(third, subscribe(third, admin, { entity: '*', operation: '*', status: 'off' }));
    await track(
      first,
      execute(first, decideUpdateWebhook, {
        ...owner,
        webhookId: first,
        changes: { url: 'https://moved.example.com/in', operation: '*' },
        catalog: DEFAULT_CATALOG,
      }),
    );
    await track(
      first,
      execute(first, decideChangeWebhookStatus, {
        ...admin,
        webhookId: first,
        status: 'off',
        reason: 'admin',
      }),
    );
    await track(
      first,
      execute(first, decideRotateWebhookSecret, {
        ...owner,
        webhookId: first,
        secretRef: 'v1.sealed-rotated',
        previousValidUntil: '2030-01-02T00:00:00+01:00',
      }),
    );
    await track(
      first,
      execute(first, decideChangeWebhookStatus, {
        ...admin,
        webhookId: first,
        status: 'on',
        reason: 'admin',
      }),
    );
    // A ping changes nothing about the webhook: its row keeps the previous updated_at.
    await execute(first, decidePingWebhook, { ...owner, webhookId: first });
    await track(
      second,
      execute(second, decideChangeWebhookStatus, {
        ...SYSTEM_ACTOR,
        webhookId: second,
        status: 'off',
        reason: 'failing',
      }),
    );
    await track(second, execute(second, decideDeleteWebhook, { ...otherUser, webhookId: second }));
  });

  it('projects the current state of each webhook', async () => {
    const rows = await dataSource.getRepository(WebhookRecord).find();
    const byId = new Map(rows.map((row) => [row.id, row]));
    /** The global position of the webhook's WebhookSubscribed, as the row keeps it. */
    const subscribedAt = async (webhookId: string): Promise<string> =>
      (
        await dataSource.query(
          `SELECT position::text AS position FROM events WHERE stream = $1 AND version = 1`,
          [`webhook-${webhookId}`],
        )
      )[0].position;

    expect(byId.get(first)).toEqual({
      id: first,
      ownerId: owner.actorId,
      url: 'https://moved.example.com/in',
      entity: 'Contact',
      operation: '*',
      status: 'on',
      statusReason: 'admin',
      secretRef: 'v1.sealed-rotated',
      previousSecretRef: `v1.sealed-${first}`,
      previousValidUntil: new Date('2030-01-01T23:00:00.000Z'),
      createdAt: recordedAt[first][0],
      subscribedPosition: await subscribedAt(first),
      updatedAt: recordedAt[first].at(-1),
      deletedAt: null,
    });
    expect(byId.get(second)).toEqual({
      id: second,
      ownerId: otherUser.actorId,
      url: `https://receiver.example.com/${second}`,
      entity: 'ApiKey',
      operation: '*',
      status: 'off',
      statusReason: 'failing',
      secretRef: `v1.sealed-${second}`,
      previousSecretRef: null,
      previousValidUntil: null,
      createdAt: recordedAt[second][0],
      subscribedPosition: await subscribedAt(second),
      updatedAt: recordedAt[second].at(-1),
      deletedAt: recordedAt[second].at(-1),
    });
    expect(byId.get(third)).toMatchObject({
      ownerId: admin.actorId,
      entity: '*',
      operation: '*',
      status: 'off',
      statusReason: null,
      createdAt: recordedAt[third][0],
      updatedAt: recordedAt[third][0],
    });
    expect(rows).toHaveLength(3);
  });

  it('comes out identical when rebuilt from the events alone', async () => {
    const before = await webhookRows();

    await dataSource.query('UPDATE webhooks SET url = $1', ['https://tampered.example.com/']);
    const { events } = await rebuildProjections(dataSource, allProjections);

    expect(events).toBe(10);
    expect(await webhookRows()).toEqual(before);
  });

  it('rolls the append back when the row cannot be written', async () => {
    // The same webhook id on another stream: the insert hits the primary key.
    const duplicate = {
      type: 'WebhookSubscribed',
      data: {
        webhookId: first,
        ownerId: owner.actorId,
        url: 'https://dup.example.com/',
        entity: 'Note',
        operation: 'Create',
        status: 'on',
        secretRef: 'v1.dup',
      },
    };

    await expect(store.append(`webhook-${randomUUID()}`, [duplicate])).rejects.toThrow();
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM events WHERE data->>'secretRef' = 'v1.dup'`,
    );
    expect(count).toBe(0);
  });

  it('owns only the webhooks table and skips pings', () => {
    expect(allProjections).toContain(webhooksProjection);
    expect(webhooksProjection.tables).toEqual(['webhooks']);
    expect(webhooksProjection.handles).not.toContain('WebhookPinged');
  });

  it('maps WebhookRecord exactly onto the migrated table', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    const webhookQueries = pending.upQueries
      .map((query) => query.query)
      .filter((sql) => /"?webhooks"?/.test(sql));

    expect(webhookQueries).toEqual([]);
  });
});
