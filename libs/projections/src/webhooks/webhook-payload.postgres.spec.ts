import {
  DEFAULT_CATALOG,
  decideRecordEntityChange,
  entityStream,
  webhookRequestBody,
} from '@herald/domain';
import { PostgresEventStore } from '@herald/event-store';
import { createTestDatabase, type TestDatabase } from '@herald/testing/test-database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

let database: TestDatabase;
let dataSource: DataSource;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = new DataSource({ type: 'postgres', url: database.url });
  await dataSource.initialize();
  store = new PostgresEventStore(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

/** The domain's promises about EntityChanged data, checked against jsonb itself. */
describe('EntityChanged data through PostgreSQL', () => {
  function change(data: unknown) {
    return decideRecordEntityChange({
      entity: 'Contact',
      entityId: randomUUID(),
      operation: 'Update',
      data,
      actorId: randomUUID(),
      now: new Date('2030-01-01T00:00:00Z'),
      catalog: DEFAULT_CATALOG,
    });
  }

  it('gives the same request body from the appended event and from the event read back', async () => {
    // jsonb stores keys shorter-first, so these come back in another order than they went in.
    const decided = change({ zebra: { long_key: 1, b: [{ yy: 1, x: 2 }] }, a: 'é😀', mid: 1.5 });
    const stream = entityStream('Contact', decided[0].data.entityId);

    const { events: appended } = await store.append(stream, decided);
    const [read] = await store.readStream(stream);

    expect(Object.keys(read.data as object)).not.toEqual(Object.keys(decided[0].data));
    expect(webhookRequestBody(read)).toBe(webhookRequestBody(appended[0]));
    expect(read.data).toEqual(decided[0].data);
  });

  it.each([
    ['a NUL character', 'nul\u0000'],
    ['an unpaired surrogate', 'lone \ud800'],
  ])('would fail the append with %s, which decide therefore refuses', async (_, text) => {
    expect(() => change({ text })).toThrow(expect.objectContaining({ field: 'data' }));
    const raw = [{ type: 'EntityChanged', data: { text } }];

    await expect(store.append(`entity-Contact-${randomUUID()}`, raw)).rejects.toThrow();
  });
});
