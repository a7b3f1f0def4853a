/** The worker's ioredis connection: blocking-safe for BullMQ (`maxRetriesPerRequest: null`). */
export const WORKER_REDIS = Symbol('WORKER_REDIS');
