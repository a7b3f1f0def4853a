import { createWorkerTestContext, type WorkerTestContext } from '../testing/worker-test-context';
import { RelayCheckpoints } from './relay-checkpoints';
import { RelayModule } from './relay.module';

describe(RelayCheckpoints.name, () => {
  let context: WorkerTestContext;
  let sut: RelayCheckpoints;

  beforeAll(async () => {
    context = await createWorkerTestContext({ imports: [RelayModule] });
    sut = context.module.get(RelayCheckpoints);
  });
  afterAll(() => context.close());

  it('has no checkpoint until one is saved', async () => {
    await expect(sut.load('unsaved')).resolves.toBeNull();
  });

  it('only ever moves forward, by transaction id and then position', async () => {
    await sut.advance('forward', { transactionId: 10n, position: 5n });
    await sut.advance('forward', { transactionId: 9n, position: 50n });
    await sut.advance('forward', { transactionId: 10n, position: 4n });
    await expect(sut.load('forward')).resolves.toEqual({ transactionId: 10n, position: 5n });

    await sut.advance('forward', { transactionId: 10n, position: 6n });
    await expect(sut.load('forward')).resolves.toEqual({ transactionId: 10n, position: 6n });
    await sut.advance('forward', { transactionId: 11n, position: 1n });
    await expect(sut.load('forward')).resolves.toEqual({ transactionId: 11n, position: 1n });
  });
});
