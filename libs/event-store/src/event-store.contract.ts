// Imported explicitly (not Jest globals) because the production build compiles this file too.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ConcurrencyError } from './errors';
import type {
  GlobalCheckpoint,
  InlineProjection,
  NewEvent,
  RecordedEvent,
  TransactionalEventStore,
} from './event-store';

/** Builds a store over empty storage, with these inline projections. */
export type EventStoreFactory = (
  projections: InlineProjection<unknown>[],
) => Promise<TransactionalEventStore<unknown>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function newEvent(type: string, data: unknown = { n: 1 }): NewEvent {
  return { type, data };
}

/**
 * Reads on from `after` through successive checkpoints until `count` events arrived (or a few
 * seconds passed). On Postgres, readAll may briefly hold events back while some other
 * transaction in the cluster (another test suite's) is open; the relay polls the same way.
 */
export async function readAllUntil(
  store: TransactionalEventStore<unknown>,
  count: number,
  options: { after?: GlobalCheckpoint | null; limit?: number } = {},
): Promise<{ events: RecordedEvent[]; checkpoint: GlobalCheckpoint | null; reads: number }> {
  const deadline = Date.now() + 5000;
  const events: RecordedEvent[] = [];
  let checkpoint = options.after ?? null;
  let reads = 0;
  while (events.length < count && Date.now() < deadline) {
    const page = await store.readAll({ after: checkpoint, limit: options.limit });
    reads += 1;
    events.push(...page.events);
    checkpoint = page.checkpoint;
    if (page.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { events, checkpoint, reads };
}

function recordingProjection(name: string, handles: string[]) {
  const calls: { events: RecordedEvent[]; tx: unknown }[] = [];
  const projection: InlineProjection<unknown> = {
    name,
    handles,
    apply: async (events, tx) => {
      calls.push({ events: [...events], tx });
    },
  };
  return { projection, calls };
}

/** The behaviour every EventStore implementation must share. */
export function describeEventStoreContract(name: string, createStore: EventStoreFactory): void {
  describe(`${name} honours the EventStore contract`, () => {
    let sut: TransactionalEventStore<unknown>;

    beforeEach(async () => {
      sut = await createStore([]);
    });

    describe('append', () => {
      it('records events with versions from 1 and returns the next expected version', async () => {
        const result = await sut.append('user-1', [newEvent('A'), newEvent('B')]);

        expect(result.nextExpectedVersion).toBe(2);
        expect(result.events.map((e) => [e.stream, e.version, e.type])).toEqual([
          ['user-1', 1, 'A'],
          ['user-1', 2, 'B'],
        ]);
      });

      it('continues the version sequence and hands out increasing positions', async () => {
        const first = await sut.append('user-1', [newEvent('A')]);
        await sut.append('user-2', [newEvent('X')]);
        const second = await sut.append('user-1', [newEvent('B'), newEvent('C')]);

        expect(second.events.map((e) => e.version)).toEqual([2, 3]);
        expect(second.nextExpectedVersion).toBe(3);
        const positions = [...first.events, ...second.events].map((e) => e.position);
        expect(positions.every((p) => typeof p === 'bigint')).toBe(true);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect(new Set(positions).size).toBe(3);
      });

      it('gives every event a unique uuid, a bigint transaction id and a recording time', async () => {
        const before = Date.now();
        const { events } = await sut.append('user-1', [newEvent('A'), newEvent('B')]);

        for (const event of events) {
          expect(event.id).toMatch(UUID);
          expect(typeof event.transactionId).toBe('bigint');
          expect(event.recordedAt).toBeInstanceOf(Date);
          expect(event.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5000);
          expect(event.recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 5000);
        }
        expect(events[0].id).not.toBe(events[1].id);
        expect(events[0].transactionId).toBe(events[1].transactionId);
      });

      it('keeps data exactly as JSON would', async () => {
        const data = {
          text: 'quote " backslash \\ newline \n unicode é 🎉 {braces}, commas',
          nested: { list: [1, 'two', null, { deep: true }], empty: {} },
          number: 12.5,
          nothing: null,
        };
        await sut.append('user-1', [
          newEvent('A', data),
          newEvent('B', ['x', 'y']),
          newEvent('C', 'plain'),
        ]);

        const events = await sut.readStream('user-1');
        expect(events.map((e) => e.data)).toEqual([data, ['x', 'y'], 'plain']);
      });

      it('fills metadata defaults: one new correlation id per append, null causation and actor', async () => {
        const { events } = await sut.append('user-1', [newEvent('A'), newEvent('B')]);

        const [first, second] = events;
        expect(first.metadata).toEqual({
          correlationId: expect.stringMatching(UUID),
          causationId: null,
          actorId: null,
        });
        expect(second.metadata.correlationId).toBe(first.metadata.correlationId);
        const next = await sut.append('user-1', [newEvent('C')]);
        expect(next.events[0].metadata.correlationId).not.toBe(first.metadata.correlationId);
      });

      it('keeps the metadata it is given, extra keys included', async () => {
        const metadata = {
          correlationId: 'corr-1',
          causationId: 'cause-1',
          actorId: 'user-9',
          requestId: 'req-7',
        };
        await sut.append('user-1', [{ type: 'A', data: {}, metadata }]);

        const [event] = await sut.readStream('user-1');
        expect(event.metadata).toEqual(metadata);
      });

      it('returns the events exactly as they read back', async () => {
        const { events } = await sut.append('user-1', [newEvent('A'), newEvent('B')]);

        expect(await sut.readStream('user-1')).toEqual(events);
      });

      describe('expectedVersion', () => {
        it('defaults to any: appends to new and existing streams', async () => {
          await sut.append('user-1', [newEvent('A')]);
          await expect(sut.append('user-1', [newEvent('B')])).resolves.toMatchObject({
            nextExpectedVersion: 2,
          });
          await expect(
            sut.append('user-1', [newEvent('C')], { expectedVersion: 'any' }),
          ).resolves.toMatchObject({
            nextExpectedVersion: 3,
          });
        });

        it('accepts the exact current version and rejects any other with ConcurrencyError', async () => {
          await sut.append('user-1', [newEvent('A'), newEvent('B')]);

          const stale = sut.append('user-1', [newEvent('C')], { expectedVersion: 1 });
          await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(stale).rejects.toMatchObject({ stream: 'user-1', expected: '1', actual: 2 });
          await expect(
            sut.append('user-1', [newEvent('C')], { expectedVersion: 3 }),
          ).rejects.toBeInstanceOf(ConcurrencyError);
          await expect(
            sut.append('user-1', [newEvent('C')], { expectedVersion: 2 }),
          ).resolves.toMatchObject({
            nextExpectedVersion: 3,
          });
        });

        it('treats no_stream and 0 as "must not exist yet"', async () => {
          await expect(
            sut.append('user-1', [newEvent('A')], { expectedVersion: 'no_stream' }),
          ).resolves.toMatchObject({
            nextExpectedVersion: 1,
          });
          await expect(
            sut.append('user-2', [newEvent('A')], { expectedVersion: 0 }),
          ).resolves.toMatchObject({
            nextExpectedVersion: 1,
          });

          await expect(
            sut.append('user-1', [newEvent('B')], { expectedVersion: 'no_stream' }),
          ).rejects.toMatchObject({
            name: 'ConcurrencyError',
            expected: 'no_stream',
            actual: 1,
          });
          await expect(
            sut.append('user-2', [newEvent('B')], { expectedVersion: 0 }),
          ).rejects.toBeInstanceOf(ConcurrencyError);
        });

        it('treats stream_exists as "must have at least one event"', async () => {
          await expect(
            sut.append('user-1', [newEvent('A')], { expectedVersion: 'stream_exists' }),
          ).rejects.toMatchObject({
            name: 'ConcurrencyError',
            expected: 'stream_exists',
            actual: 0,
          });
          await sut.append('user-1', [newEvent('A')]);
          await expect(
            sut.append('user-1', [newEvent('B')], { expectedVersion: 'stream_exists' }),
          ).resolves.toMatchObject({ nextExpectedVersion: 2 });
        });

        it('records nothing when the expectation fails', async () => {
          await sut.append('user-1', [newEvent('A')]);
          const before = await readAllUntil(sut, 1);

          await expect(
            sut.append('user-1', [newEvent('B')], { expectedVersion: 0 }),
          ).rejects.toThrow(ConcurrencyError);

          expect((await sut.readStream('user-1')).map((e) => e.type)).toEqual(['A']);
          expect((await sut.readAll({ after: before.checkpoint })).events).toEqual([]);
          await expect(
            sut.append('user-1', [newEvent('B')], { expectedVersion: 1 }),
          ).resolves.toMatchObject({
            nextExpectedVersion: 2,
          });
        });

        it('rejects a negative or fractional expected version as a caller bug', async () => {
          await expect(
            sut.append('user-1', [newEvent('A')], { expectedVersion: -1 }),
          ).rejects.toBeInstanceOf(RangeError);
          await expect(
            sut.append('user-1', [newEvent('A')], { expectedVersion: 1.5 }),
          ).rejects.toBeInstanceOf(RangeError);
        });
      });

      it('appends nothing for an empty list, but still checks the expectation', async () => {
        await sut.append('user-1', [newEvent('A')]);

        await expect(sut.append('user-1', [], { expectedVersion: 1 })).resolves.toEqual({
          nextExpectedVersion: 1,
          events: [],
        });
        await expect(
          sut.append('user-1', [], { expectedVersion: 'no_stream' }),
        ).rejects.toBeInstanceOf(ConcurrencyError);
        await expect(sut.append('user-9', [])).resolves.toEqual({
          nextExpectedVersion: 0,
          events: [],
        });
        expect(await sut.readStream('user-9')).toEqual([]);
      });
    });

    describe('readStream', () => {
      it('returns one stream in version order, after a version when asked', async () => {
        await sut.append('user-1', [newEvent('A'), newEvent('B')]);
        await sut.append('user-2', [newEvent('X')]);
        await sut.append('user-1', [newEvent('C')]);

        expect((await sut.readStream('user-1')).map((e) => [e.version, e.type])).toEqual([
          [1, 'A'],
          [2, 'B'],
          [3, 'C'],
        ]);
        expect((await sut.readStream('user-1', { afterVersion: 1 })).map((e) => e.type)).toEqual([
          'B',
          'C',
        ]);
        expect(await sut.readStream('user-1', { afterVersion: 3 })).toEqual([]);
        expect(await sut.readStream('user-404')).toEqual([]);
      });
    });

    describe('aggregate', () => {
      const countTypes = {
        initialState: (): string[] => [],
        evolve: (state: string[], event: RecordedEvent) => [...state, event.type],
      };

      it('folds the stream in order and reports its version', async () => {
        await sut.append('user-1', [newEvent('A'), newEvent('B')]);
        await sut.append('user-2', [newEvent('X')]);

        await expect(sut.aggregate('user-1', countTypes)).resolves.toEqual({
          state: ['A', 'B'],
          currentVersion: 2,
          streamExists: true,
        });
      });

      it('returns the initial state for a stream that does not exist', async () => {
        await expect(sut.aggregate('user-404', countTypes)).resolves.toEqual({
          state: [],
          currentVersion: 0,
          streamExists: false,
        });
      });
    });

    describe('readAll', () => {
      it('starts with no events and a null checkpoint', async () => {
        await expect(sut.readAll()).resolves.toEqual({ events: [], checkpoint: null });
      });

      it('returns every stream in commit order, the checkpoint being the last event', async () => {
        await sut.append('user-1', [newEvent('A'), newEvent('B')]);
        await sut.append('webhook-1', [newEvent('C')]);
        await sut.append('user-1', [newEvent('D')]);

        const { events, checkpoint } = await readAllUntil(sut, 4);

        expect(events.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
        expect(checkpoint).toEqual({
          transactionId: events[3].transactionId,
          position: events[3].position,
        });
      });

      it('pages through everything exactly once with limit and checkpoints', async () => {
        for (let i = 0; i < 7; i++) await sut.append(`user-${i % 3}`, [newEvent(`E${i}`)]);

        const { events, checkpoint, reads } = await readAllUntil(sut, 7, { limit: 2 });

        expect(events.map((e) => e.type)).toEqual(['E0', 'E1', 'E2', 'E3', 'E4', 'E5', 'E6']);
        expect(reads).toBeGreaterThanOrEqual(4);
        await expect(sut.readAll({ after: checkpoint, limit: 2 })).resolves.toEqual({
          events: [],
          checkpoint,
        });
      });

      it('continues from a checkpoint with only later events', async () => {
        await sut.append('user-1', [newEvent('A')]);
        const { checkpoint } = await readAllUntil(sut, 1);
        await sut.append('user-1', [newEvent('B')]);
        await sut.append('user-2', [newEvent('C')]);

        const later = await readAllUntil(sut, 2, { after: checkpoint });

        expect(later.events.map((e) => e.type)).toEqual(['B', 'C']);
        await expect(sut.readAll({ after: later.checkpoint })).resolves.toEqual({
          events: [],
          checkpoint: later.checkpoint,
        });
      });

      it('rejects a limit that is not a positive integer', async () => {
        await expect(sut.readAll({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('inline projections', () => {
      it('passes each projection only the events it handles, in order', async () => {
        const keys = recordingProjection('keys', ['KeyRegenerated', 'KeyCleared']);
        const webhooks = recordingProjection('webhooks', ['WebhookSubscribed']);
        sut = await createStore([keys.projection, webhooks.projection]);

        await sut.append('user-1', [
          newEvent('UserCreated'),
          newEvent('KeyRegenerated'),
          newEvent('KeyCleared'),
        ]);

        expect(keys.calls).toHaveLength(1);
        expect(keys.calls[0].events.map((e) => [e.type, e.version])).toEqual([
          ['KeyRegenerated', 2],
          ['KeyCleared', 3],
        ]);
        expect(keys.calls[0].events[0].id).toMatch(UUID);
        expect(webhooks.calls).toHaveLength(0);
      });

      it('runs inside the append transaction, with its handle', async () => {
        const keys = recordingProjection('keys', ['KeyRegenerated']);
        sut = await createStore([keys.projection]);

        let handle: unknown;
        await sut.transaction(async (tx) => {
          handle = tx;
          await sut.appendInTransaction(tx, 'user-1', [newEvent('KeyRegenerated')]);
        });

        expect(keys.calls).toHaveLength(1);
        expect(keys.calls[0].tx).toBe(handle);
      });

      it('rolls the append back when a projection fails', async () => {
        const failing: InlineProjection<unknown> = {
          name: 'failing',
          handles: ['KeyCleared'],
          apply: async () => {
            throw new Error('projection broke');
          },
        };
        sut = await createStore([failing]);
        await sut.append('user-1', [newEvent('KeyRegenerated')]);
        const { checkpoint } = await readAllUntil(sut, 1);

        await expect(sut.append('user-1', [newEvent('KeyCleared')])).rejects.toThrow(
          'projection broke',
        );

        expect((await sut.readStream('user-1')).map((e) => e.type)).toEqual(['KeyRegenerated']);
        expect((await sut.readAll({ after: checkpoint })).events).toEqual([]);
        await expect(
          sut.append('user-1', [newEvent('Other')], { expectedVersion: 1 }),
        ).resolves.toMatchObject({
          nextExpectedVersion: 2,
        });
      });
    });

    describe('transaction', () => {
      it('commits appends to several streams together', async () => {
        const result = await sut.transaction(async (tx) => {
          await sut.appendInTransaction(tx, 'user-1', [newEvent('UserCreated')], {
            expectedVersion: 'no_stream',
          });
          await sut.appendInTransaction(tx, 'email-a@b.c', [newEvent('EmailReserved')], {
            expectedVersion: 'no_stream',
          });
          return 'done';
        });

        expect(result).toBe('done');
        const { events } = await readAllUntil(sut, 2);
        expect(events.map((e) => e.stream)).toEqual(['user-1', 'email-a@b.c']);
        expect(events[0].transactionId).toBe(events[1].transactionId);
      });

      it('sees its own appends: versions continue within the transaction', async () => {
        await sut.transaction(async (tx) => {
          await sut.appendInTransaction(tx, 'user-1', [newEvent('A')], {
            expectedVersion: 'no_stream',
          });
          const second = await sut.appendInTransaction(tx, 'user-1', [newEvent('B')], {
            expectedVersion: 1,
          });
          expect(second.events[0].version).toBe(2);
        });

        expect((await sut.readStream('user-1')).map((e) => e.version)).toEqual([1, 2]);
      });

      it('rolls every append back when a later one conflicts', async () => {
        await sut.append('email-a@b.c', [newEvent('EmailReserved')]);

        const attempt = sut.transaction(async (tx) => {
          await sut.appendInTransaction(tx, 'user-2', [newEvent('UserCreated')], {
            expectedVersion: 'no_stream',
          });
          await sut.appendInTransaction(tx, 'email-a@b.c', [newEvent('EmailReserved')], {
            expectedVersion: 'no_stream',
          });
        });

        await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await sut.readStream('user-2')).toEqual([]);
        expect((await readAllUntil(sut, 1)).events.map((e) => e.stream)).toEqual(['email-a@b.c']);
      });

      it('rolls back when the work throws', async () => {
        await expect(
          sut.transaction(async (tx) => {
            await sut.appendInTransaction(tx, 'user-1', [newEvent('A')]);
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');

        expect(await sut.readStream('user-1')).toEqual([]);
        await expect(
          sut.aggregate('user-1', { initialState: () => 0, evolve: (n) => n + 1 }),
        ).resolves.toMatchObject({
          streamExists: false,
        });
      });

      it('shows nothing to readers before it commits', async () => {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let appended!: () => void;
        const appendedSignal = new Promise<void>((resolve) => (appended = resolve));
        const committing = sut.transaction(async (tx) => {
          await sut.appendInTransaction(tx, 'user-1', [newEvent('A')]);
          appended();
          await held;
        });
        await Promise.race([appendedSignal, committing]);

        try {
          expect(await sut.readStream('user-1')).toEqual([]);
          expect((await sut.readAll()).events).toEqual([]);
        } finally {
          release();
          await committing;
        }
        expect((await sut.readStream('user-1')).map((e) => e.type)).toEqual(['A']);
      });
    });
  });
}
