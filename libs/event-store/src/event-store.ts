/**
 * The event-store port (after Emmett's contract). Streams are named `<category>-<id>`; a stream's
 * version is the number of events in it (an empty stream is at 0, its first event has version 1).
 */

/** Correlation data carried by every event. */
export interface EventMetadata {
  correlationId: string;
  causationId: string | null;
  actorId: string | null;
  /** Extra keys (e.g. the HTTP request id) are kept as given. */
  [key: string]: unknown;
}

/** An event the domain decided on, not yet recorded. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  /** Omitted keys default to a fresh correlation id and null causation/actor. */
  metadata?: Partial<EventMetadata>;
}

/** An event as recorded in the store. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  /** Unique id of this event (uuid); receivers see it as `webhook-id`. */
  id: string;
  /** Global sequence number, handed out before commit: unique and increasing, with gaps. */
  position: bigint;
  /** Id of the transaction that appended the event; with `position` it orders events for readAll. */
  transactionId: bigint;
  stream: string;
  /** 1-based version of the event within its stream. */
  version: number;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  recordedAt: Date;
}

/**
 * What `append` is told about the stream it writes to:
 * a number (the stream must be at exactly this version; 0 means "must not exist yet"),
 * `'no_stream'` (same as 0), `'stream_exists'`, or `'any'` (no check).
 */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
}

export interface AppendResult {
  /** The stream's version after the append: pass it as the next expectedVersion. */
  nextExpectedVersion: number;
  /** The events as recorded, in order. */
  events: RecordedEvent[];
}

export interface AggregateOptions<State, E extends RecordedEvent = RecordedEvent> {
  initialState: () => State;
  evolve: (state: State, event: E) => State;
}

export interface AggregateResult<State> {
  state: State;
  /** The stream's current version (0 when it has no events). */
  currentVersion: number;
  streamExists: boolean;
}

/**
 * A read position in commit order. It is opaque to callers: store it and hand it back.
 * `readAll` never returns an event at or before a checkpoint it has already handed out.
 */
export interface GlobalCheckpoint {
  transactionId: bigint;
  position: bigint;
}

export interface ReadAllOptions {
  /** Read events after this checkpoint; omitted reads from the beginning. */
  after?: GlobalCheckpoint | null;
  /** The most events to return (default 1000). */
  limit?: number;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /** Where the next read should start: the last event returned, or `after` when none was. */
  checkpoint: GlobalCheckpoint | null;
}

export interface ReadStreamOptions {
  /** Read events with a version greater than this (default 0). */
  afterVersion?: number;
}

/**
 * Inline projection: runs inside the append transaction, so a read model is never behind the
 * events it is built from. `Tx` is the store's transaction handle (an EntityManager for Postgres).
 * An error thrown here rolls the whole append back.
 */
export interface InlineProjection<Tx> {
  name: string;
  /** Event types this projection wants; others are never passed to it. */
  handles: readonly string[];
  apply(events: readonly RecordedEvent[], tx: Tx): Promise<void>;
}

export interface EventStore {
  append(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  aggregate<State>(
    stream: string,
    options: AggregateOptions<State>,
  ): Promise<AggregateResult<State>>;
  /** Events of all streams in commit order, never skipping one that commits late (see GlobalCheckpoint). */
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
}

/**
 * A store that can make appends to several streams atomic (e.g. a user stream and the stream that
 * reserves its email address). `Tx` is the store's transaction handle, the same one inline
 * projections receive.
 */
export interface TransactionalEventStore<Tx> extends EventStore {
  /**
   * Runs `work` in one transaction. Everything appended through `appendInTransaction(tx, …)`
   * inside it (and, for Postgres, everything written through `tx`) commits together or not at
   * all; an error thrown by `work` rolls it all back and is rethrown.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** `append`, but inside a transaction opened by `transaction` (it neither commits nor notifies). */
  appendInTransaction(
    tx: Tx,
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
}
