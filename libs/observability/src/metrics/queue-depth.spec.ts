import { Registry } from 'prom-client';
import { QUEUE_JOB_STATES, registerQueueDepth, type CountableQueue } from './queue-depth';

function queue(name: string, getJobCounts: CountableQueue['getJobCounts']): CountableQueue {
  return { name, getJobCounts };
}

describe(registerQueueDepth.name, () => {
  it('reports every state of every queue that answers, and none of one that does not', async () => {
    const registry = new Registry();
    const hung = () => new Promise<Record<string, number>>(() => undefined);
    registerQueueDepth(
      registry,
      [
        queue('events', async () => ({ waiting: 3, active: 1 })),
        queue('deliveries', hung),
        queue('broken', () => Promise.reject(new Error('Connection is closed'))),
      ],
      50,
    );
    const started = Date.now();
    const { values } = await registry.getSingleMetric('herald_queue_jobs')!.get();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(values.map((value) => value.labels.queue)).toEqual(QUEUE_JOB_STATES.map(() => 'events'));
    expect(values.find((value) => value.labels.state === 'waiting')?.value).toBe(3);
    expect(values.find((value) => value.labels.state === 'failed')?.value).toBe(0);
  });

  it('forgets a queue’s series when it stops answering', async () => {
    const registry = new Registry();
    let up = true;
    registerQueueDepth(
      registry,
      [queue('events', () => (up ? Promise.resolve({ waiting: 1 }) : Promise.reject(new Error())))],
      50,
    );
    const metric = registry.getSingleMetric('herald_queue_jobs')!;
    expect((await metric.get()).values).toHaveLength(QUEUE_JOB_STATES.length);
    up = false;
    expect((await metric.get()).values).toEqual([]);
  });

  it('keeps one read per queue in flight while Redis does not answer, however often it is scraped', async () => {
    const registry = new Registry();
    let reads = 0;
    let answer: (counts: Record<string, number>) => void = () => undefined;
    registerQueueDepth(
      registry,
      [
        queue('events', () => {
          reads += 1;
          return new Promise((resolve) => (answer = resolve));
        }),
      ],
      20,
    );
    const metric = registry.getSingleMetric('herald_queue_jobs')!;
    for (let scrape = 0; scrape < 5; scrape += 1) await metric.get();
    expect(reads).toBe(1);

    answer({ waiting: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    await metric.get();
    expect(reads).toBe(2);
  });
});
