/**
 * Herald's two BullMQ queues (DESIGN.md, "two-stage fan-out"): the relay puts each committed event
 * on `events`; the dispatcher matches it and puts one job per delivery on `deliveries`.
 */
export const EVENTS_QUEUE = 'events';
export const DELIVERIES_QUEUE = 'deliveries';
export const HERALD_QUEUES = [EVENTS_QUEUE, DELIVERIES_QUEUE] as const;
