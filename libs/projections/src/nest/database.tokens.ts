/** Injection token of the EventStore (Postgres, with the inline projections). */
export const EVENT_STORE = Symbol('EVENT_STORE');
