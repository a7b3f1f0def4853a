import { ConcurrencyError } from './errors';
import { describeEventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from './in-memory-event-store';

describeEventStoreContract(
  InMemoryEventStore.name,
  async (projections) => new InMemoryEventStore(projections),
);

describe(InMemoryEventStore.name, () => {
  let sut: InMemoryEventStore;

  beforeEach(() => {
    sut = new InMemoryEventStore();
  });

  it('makes a racing writer wait for the stream and then fail its expectation', async () => {
    await sut.append('user-1', [{ type: 'A', data: {} }]);

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        sut.append('user-1', [{ type: 'B', data: {} }], { expectedVersion: 1 }),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect(result.reason).toBeInstanceOf(ConcurrencyError);
    }
    expect((await sut.readStream('user-1')).map((e) => e.version)).toEqual([1, 2]);
  });

  it('holds back later commits while an older transaction is open, then returns all in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appended!: () => void;
    const appendedSignal = new Promise<void>((resolve) => (appended = resolve));
    const slow = sut.transaction(async (tx) => {
      await sut.appendInTransaction(tx, 'user-slow', [{ type: 'Held', data: {} }]);
      appended();
      await held;
    });
    await appendedSignal;
    await sut.append('user-fast', [{ type: 'Fast', data: {} }]);

    expect((await sut.readAll()).events).toEqual([]);

    release();
    await slow;
    expect((await sut.readAll()).events.map((e) => e.type)).toEqual(['Held', 'Fast']);
  });

  it('hands out copies, so callers cannot alter what is stored', async () => {
    const data = { name: 'before' };
    const { events } = await sut.append('user-1', [{ type: 'A', data }]);
    data.name = 'mutated input';
    (events[0].data as { name: string }).name = 'mutated result';

    const [stored] = await sut.readStream('user-1');
    expect(stored.data).toEqual({ name: 'before' });
  });
});
