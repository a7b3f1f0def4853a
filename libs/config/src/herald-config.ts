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
  /** Entities and operations webhooks can subscribe to (besides the built-in ApiKey × Regenerate, Clear). */
  catalog: { entities: string[]; operations: string[] };
  /** Subnets webhooks may target even though they are private (CIDR), when private targets are not allowed. */
  allowedSubnets: string[];
  /** Delivery attempts one worker runs at once. */
  deliveryConcurrency: number;
  /** Attempts one worker runs at once against one endpoint (origin): a slow endpoint takes at most this share. */
  maxInFlightPerEndpoint: number;
  /** A webhook whose deliveries keep failing for this long is turned off (reason `failing`). */
  failingDisableAfterSeconds: number;
  /** After a secret rotation, the previous secret keeps signing for this long. */
  secretRotationOverlapSeconds: number;
  /** How often the reconciler looks for due deliveries without a job, and events not yet dispatched. */
  reconcileIntervalMs: number;
  /**
   * How long a worker's claim on a queue job lasts unless renewed (it renews it while the job runs);
   * also how often workers look for jobs whose claim lapsed (a crashed or frozen worker) and run
   * them again, so such a job runs elsewhere within about twice this.
   */
  jobLockMs: number;
  migrate: boolean;
  /** Express `trust proxy`: behind a TLS-terminating proxy, take the client address and protocol from it. */
  trustProxy: boolean | number | string;
  /** Lifetime of a console session. */
  sessionTtlSeconds: number;
  /** Namespace of every Redis key Herald writes (a hash tag such as `{herald}` for Redis Cluster). */
  redisPrefix: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** When set, `/metrics` (API and worker) answers only `Authorization: Bearer <this token>`. */
  metricsToken: string | null;
}
