/**
 * Postgres channel the store NOTIFYs (empty payload) after an append commits, to wake the relay.
 * The wake-up is best-effort: a listener must also poll, and must read with `readAll` rather
 * than trust the notification to carry anything.
 */
export const HERALD_EVENTS_CHANNEL = 'herald_events';
