import { ConcurrencyError } from './errors';
import type { RecordedEvent } from './event-store';
import { handleCommand } from './handle-command';
import { InMemoryEventStore } from './in-memory-event-store';

const counter = {
  initialState: () => 0,
  evolve: (count: number, event: RecordedEvent) => (event.type === 'Counted' ? count + 1 : count),
};

describe(handleCommand.name, () => {
  it('appends what decide returns on the folded state, with the given metadata', async () => {
    const sut = new InMemoryEventStore();
    await handleCommand(sut, 'counter-1', () => [{ type: 'Counted', data: {} }], counter);
    const events = await handleCommand(
      sut,
      'counter-1',
      (count) => [{ type: 'Counted', data: { before: count } }],
      { ...counter, metadata: { correlationId: 'c-1', actorId: 'a-1' } },
    );

    expect(events).toEqual([
      expect.objectContaining({
        version: 2,
        data: { before: 1 },
        metadata: expect.objectContaining({ correlationId: 'c-1', actorId: 'a-1' }),
      }),
    ]);
  });

  it('appends nothing when decide returns no events', async () => {
    const sut = new InMemoryEventStore();
    await expect(handleCommand(sut, 'counter-1', () => [], counter)).resolves.toEqual([]);
    expect(await sut.readStream('counter-1')).toEqual([]);
  });

  it('fails with ConcurrencyError when the stream moved between the fold and the append', async () => {
    const sut = new InMemoryEventStore();
    await expect(
      handleCommand(
        sut,
        'counter-1',
        () => {
          void sut.append('counter-1', [{ type: 'Counted', data: {} }]);
          return [{ type: 'Counted', data: {} }];
        },
        counter,
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });
});
