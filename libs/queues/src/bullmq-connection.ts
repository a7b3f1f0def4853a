import type { HeraldConfig } from '@herald/config';
import type { QueueOptions } from 'bullmq';

/**
 * BullMQ settings shared by the API (which only adds jobs) and the worker: the queue prefix from
 * configuration (a hash tag on Redis Cluster keeps a queue's keys in one slot), and connections that
 * retry forever instead of failing commands, as BullMQ's blocking workers require.
 */
export function bullmqOptions(config: HeraldConfig): Pick<QueueOptions, 'connection' | 'prefix'> {
  const url = new URL(config.redisUrl);
  return {
    prefix: config.redisPrefix,
    connection: {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      maxRetriesPerRequest: null,
      enableAutoPipelining: false,
    },
  };
}
