import { processorProblems } from './processor-problems';

describe(processorProblems.name, () => {
  const queues = ['events', 'deliveries'];

  it('finds nothing wrong with exactly one processor per queue', () => {
    expect(
      processorProblems(queues, [
        { className: 'A', queue: 'events' },
        { className: 'B', queue: 'deliveries' },
      ]),
    ).toEqual([]);
  });

  it('names a queue without a processor, one with two, and a processor on an unknown queue', () => {
    expect(
      processorProblems(queues, [
        { className: 'A', queue: 'events' },
        { className: 'A2', queue: 'events' },
        { className: 'C', queue: 'evnets' },
      ]),
    ).toEqual([
      'queue "events" has 2 processors (A, A2)',
      'queue "deliveries" has no processor',
      'C processes unknown queue "evnets"',
    ]);
  });
});
