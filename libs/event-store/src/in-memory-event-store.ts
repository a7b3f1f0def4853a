import { randomUUID } from 'node:crypto';
import { aggregateEvents } from './aggregate-events';
import { completeMetadata } from './event-metadata';
import type {
  AggregateOptions,
  AggregateResult,
  AppendOptions,
  AppendResult,
  InlineProjection,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  TransactionalEventStore,
} from './event-store';
import { assertExpectedVersion, validateExpectedVersion } from './expected-version';
import { checkpointOf, compareCheckpoints } from './global-checkpoint';
import { InMemoryTransaction } from './in-memory-transaction';
import { runInlineProjections } from './inline-projections';
import { DEFAULT_READ_ALL_LIMIT, validateReadAllLimit } from './read-all-limit';

/** What an open transaction has written but not yet committed. */
interface PendingWrites {
  /** Assigned on the first append, like a Postgres xid; null while the transaction only read. */
  transactionId: bigint | null;
  events: RecordedEvent[];
  streamVersions: Map<string, number>;
  ended: Promise<void>;
}

/**
 * EventStore for unit tests, with the Postgres store's semantics: appends in a transaction
 * become visible together at commit and vanish on error; a stream being appended to is locked
 * until its transaction ends (a second writer waits, then checks its expected version against
 * the new version); readAll holds back events of transactions newer than the oldest open writing
 * transaction, and orders by (transactionId, position). Data and metadata are stored as their
 * JSON copies, as jsonb would. Events handed out are copies, so callers cannot alter the store.
 * No deadlock detection: two transactions locking the same streams in opposite order hang.
 */
export class InMemoryEventStore implements TransactionalEventStore<InMemoryTransaction> {
  private readonly committed: RecordedEvent[] = [];
  private readonly streamVersions = new Map<string, number>();
  private readonly streamLocks = new Map<
    string,
    { owner: InMemoryTransaction; released: Promise<void> }
  >();
  private readonly open = new Map<InMemoryTransaction, PendingWrites>();
  private nextPosition = 1n;
  private nextTransactionId = 1n;

  constructor(private readonly projections: InlineProjection<InMemoryTransaction>[] = []) {}

  append(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    return this.transaction((tx) => this.appendInTransaction(tx, stream, events, options));
  }

  async transaction<T>(work: (tx: InMemoryTransaction) => Promise<T>): Promise<T> {
    const tx = new InMemoryTransaction();
    let end!: () => void;
    const pending: PendingWrites = {
      transactionId: null,
      events: [],
      streamVersions: new Map(),
      ended: new Promise<void>((resolve) => (end = resolve)),
    };
    this.open.set(tx, pending);
    try {
      const result = await work(tx);
      this.commit(pending);
      return result;
    } finally {
      this.open.delete(tx);
      for (const [stream, lock] of this.streamLocks) {
        if (lock.owner === tx) this.streamLocks.delete(stream);
      }
      end();
    }
  }

  async appendInTransaction(
    tx: InMemoryTransaction,
    stream: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const pending = this.open.get(tx);
    if (!pending) throw new Error('appendInTransaction needs a transaction that is still open');
    const expected = options.expectedVersion ?? 'any';
    validateExpectedVersion(expected);

    // Inline, not a helper: no await may come between seeing the lock free and taking it.
    for (let lock = this.streamLocks.get(stream); lock && lock.owner !== tx;) {
      await lock.released;
      lock = this.streamLocks.get(stream);
    }
    const current = pending.streamVersions.get(stream) ?? this.streamVersions.get(stream) ?? 0;
    assertExpectedVersion(stream, expected, current);
    if (events.length === 0) return { nextExpectedVersion: current, events: [] };
    this.streamLocks.set(stream, { owner: tx, released: pending.ended });

    const transactionId = (pending.transactionId ??= this.nextTransactionId++);
    const correlationId = randomUUID();
    const recordedAt = new Date();
    const recorded = events.map((event, index): RecordedEvent => ({
      id: randomUUID(),
      position: this.nextPosition++,
      transactionId,
      stream,
      version: current + index + 1,
      type: event.type,
      data: jsonCopy(event.data ?? null),
      metadata: jsonCopy(completeMetadata(event.metadata, correlationId)),
      recordedAt,
    }));
    // Staged before the projections run, as Postgres has inserted the rows by then: an error
    // must end the transaction, or these events commit (see PostgresEventStore).
    pending.events.push(...recorded);
    pending.streamVersions.set(stream, current + events.length);
    await runInlineProjections(this.projections, recorded.map(copyEvent), tx);
    return { nextExpectedVersion: current + events.length, events: recorded.map(copyEvent) };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const afterVersion = options.afterVersion ?? 0;
    return this.committed
      .filter((event) => event.stream === stream && event.version > afterVersion)
      .sort((a, b) => a.version - b.version)
      .map(copyEvent);
  }

  async aggregate<State>(
    stream: string,
    options: AggregateOptions<State>,
  ): Promise<AggregateResult<State>> {
    return aggregateEvents(await this.readStream(stream), options);
  }

  /** Same guarantee as PostgresEventStore.readAll: reading on from checkpoints skips nothing. */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? null;
    const limit = options.limit ?? DEFAULT_READ_ALL_LIMIT;
    validateReadAllLimit(limit);
    const horizon = this.oldestOpenTransactionId() ?? this.nextTransactionId;
    const events = this.committed
      .filter((event) => event.transactionId < horizon)
      .filter((event) => after === null || compareCheckpoints(event, after) > 0)
      .sort(compareCheckpoints)
      .slice(0, limit)
      .map(copyEvent);
    const last = events.at(-1);
    return { events, checkpoint: last ? checkpointOf(last) : after };
  }

  private commit(pending: PendingWrites): void {
    this.committed.push(...pending.events);
    for (const [stream, version] of pending.streamVersions)
      this.streamVersions.set(stream, version);
  }

  private oldestOpenTransactionId(): bigint | null {
    let oldest: bigint | null = null;
    for (const { transactionId } of this.open.values()) {
      if (transactionId !== null && (oldest === null || transactionId < oldest))
        oldest = transactionId;
    }
    return oldest;
  }
}

function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Not structuredClone: under Jest its Dates come from another realm and fail `instanceof Date`. */
function copyEvent(event: RecordedEvent): RecordedEvent {
  return {
    ...event,
    data: jsonCopy(event.data),
    metadata: jsonCopy(event.metadata),
    recordedAt: new Date(event.recordedAt.getTime()),
  };
}
