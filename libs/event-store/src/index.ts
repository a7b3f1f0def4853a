export * from './event-store';
export { CommitOutcomeUnknown, ConcurrencyError } from './errors';
export { isDatabaseUnavailable } from './database-unavailable';
export { HERALD_EVENTS_CHANNEL } from './notifications';
export { PostgresEventStore } from './postgres-event-store';
export { InMemoryEventStore } from './in-memory-event-store';
export { InMemoryTransaction } from './in-memory-transaction';
export { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './postgres-event-row';
export { handleCommand, type HandleCommandOptions } from './handle-command';
