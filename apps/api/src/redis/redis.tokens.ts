/** Injection token of the API's ioredis client (fails fast instead of queueing while Redis is down). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
