/** Herald's configuration, read from the environment once at start (names in shared/API.md). */
export interface HeraldConfig {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  /** The worker's health (and later metrics) port; 0 turns it off. */
  workerPort: number;
  /** Bootstrap admin, created at API start when both are set and no user has that email. */
  bootstrapAdmin: { email: string; password: string } | null;
  /** 32-byte key for AES-256-GCM encryption of webhook secrets at rest. */
  secretKey: Buffer;
  allowPrivateTargets: boolean;
  /** Seconds between attempts after the first; its length is the number of retries. */
  retryScheduleSeconds: number[];
  deliveryTimeoutMs: number;
  migrate: boolean;
  /** Express `trust proxy`: behind a TLS-terminating proxy, take the client address and protocol from it. */
  trustProxy: boolean | number | string;
  /** Lifetime of a console session. */
  sessionTtlSeconds: number;
  /** Namespace of every Redis key Herald writes (a hash tag such as `{herald}` for Redis Cluster). */
  redisPrefix: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}
