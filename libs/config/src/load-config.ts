import { ConfigError, type ConfigProblem } from './config-error';
import type { HeraldConfig } from './herald-config';

type Env = Record<string, string | undefined>;

const DEFAULT_RETRY_SCHEDULE = '5,300,1800,7200,18000,36000,36000';
const DEFAULT_ENTITIES = 'Contact,Company,Job,Application,Activity,Note';
const DEFAULT_OPERATIONS = 'Create,Update,Delete';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Reads and validates every variable at once, so an operator sees all mistakes in one go.
 * Throws ConfigError naming each bad variable; never returns a partially valid config.
 */
export function loadConfig(env: Env = process.env): HeraldConfig {
  const problems: ConfigProblem[] = [];
  const read = <T>(name: string, fallback: string | undefined, parse: (raw: string) => T): T => {
    const raw = env[name]?.trim() || fallback;
    if (raw === undefined) {
      problems.push({ variable: name, message: 'is required' });
      return undefined as T;
    }
    try {
      return parse(raw);
    } catch (error) {
      problems.push({ variable: name, message: (error as Error).message });
      return undefined as T;
    }
  };

  const config: HeraldConfig = {
    databaseUrl: read('DATABASE_URL', undefined, parseUrl(['postgres:', 'postgresql:'])),
    redisUrl: read('REDIS_URL', undefined, parseUrl(['redis:', 'rediss:'])),
    port: read('PORT', '3000', parseInteger(0, 65535)),
    workerPort: read('HERALD_WORKER_PORT', '3001', parseInteger(0, 65535)),
    bootstrapAdmin: null,
    secretKey: read('HERALD_SECRET_KEY', undefined, parseSecretKey),
    allowPrivateTargets: read('HERALD_ALLOW_PRIVATE_TARGETS', 'false', parseBoolean),
    retryScheduleSeconds: read('HERALD_RETRY_SCHEDULE', DEFAULT_RETRY_SCHEDULE, parseSchedule),
    deliveryTimeoutMs: read('HERALD_DELIVERY_TIMEOUT_MS', '15000', parseInteger(100, 600_000)),
    migrate: read('HERALD_MIGRATE', 'true', parseBoolean),
    catalog: {
      entities: read('HERALD_ENTITIES', DEFAULT_ENTITIES, parseNameList),
      operations: read('HERALD_OPERATIONS', DEFAULT_OPERATIONS, parseNameList),
    },
    allowedSubnets: read('HERALD_ALLOWED_SUBNETS', '', parseSubnets),
    deliveryConcurrency: read('HERALD_DELIVERY_CONCURRENCY', '50', parseInteger(1, 1000)),
    maxInFlightPerEndpoint: read('HERALD_MAX_IN_FLIGHT_PER_ENDPOINT', '4', parseInteger(1, 1000)),
    failingDisableAfterSeconds: read(
      'HERALD_FAILING_DISABLE_AFTER_SECONDS',
      String(5 * 86400),
      parseInteger(60, 365 * 86400),
    ),
    secretRotationOverlapSeconds: read(
      'HERALD_SECRET_ROTATION_OVERLAP_SECONDS',
      '86400',
      parseInteger(0, 30 * 86400),
    ),
    reconcileIntervalMs: read(
      'HERALD_RECONCILE_INTERVAL_MS',
      '15000',
      parseInteger(100, 3_600_000),
    ),
    jobLockMs: read('HERALD_JOB_LOCK_MS', '30000', parseInteger(1000, 600_000)),
    trustProxy: read('HERALD_TRUST_PROXY', 'false', parseTrustProxy),
    sessionTtlSeconds: read('HERALD_SESSION_TTL_SECONDS', '43200', parseInteger(60, 30 * 86400)),
    redisPrefix: read('HERALD_REDIS_PREFIX', 'herald', parseRedisPrefix),
    logLevel: read('HERALD_LOG_LEVEL', 'info', parseOneOf(LOG_LEVELS)),
    metricsToken: read('HERALD_METRICS_TOKEN', '', parseMetricsToken),
  };

  const adminEmail = env.HERALD_ADMIN_EMAIL?.trim();
  const adminPassword = env.HERALD_ADMIN_PASSWORD;
  if (adminEmail && adminPassword) {
    if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
      problems.push({ variable: 'HERALD_ADMIN_EMAIL', message: 'is not an email address' });
    }
    if (adminPassword.length < 8) {
      problems.push({
        variable: 'HERALD_ADMIN_PASSWORD',
        message: 'must be at least 8 characters',
      });
    }
    config.bootstrapAdmin = { email: adminEmail, password: adminPassword };
  } else if (adminEmail || adminPassword) {
    const missing = adminEmail ? 'HERALD_ADMIN_PASSWORD' : 'HERALD_ADMIN_EMAIL';
    problems.push({
      variable: missing,
      message: 'must be set together with the other bootstrap admin variable',
    });
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const parseUrl =
  (protocols: string[]) =>
  (raw: string): string => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error('is not a valid URL');
    }
    if (!protocols.includes(url.protocol)) {
      throw new Error(`must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    }
    return raw;
  };

const parseInteger =
  (min: number, max: number) =>
  (raw: string): number => {
    if (!/^\d+$/.test(raw)) throw new Error('must be a whole number');
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max}`);
    return value;
  };

function parseBoolean(raw: string): boolean {
  const value = raw.toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new Error('must be true or false');
}

function parseSecretKey(raw: string): Buffer {
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== raw.replace(/=+$/, '')) {
    throw new Error(
      'must be 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)',
    );
  }
  return key;
}

function parseSchedule(raw: string): number[] {
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part))) {
    throw new Error('must be a comma-separated list of whole seconds, e.g. 5,300,1800');
  }
  return parts.map(Number);
}

const parseOneOf =
  <T extends string>(allowed: readonly T[]) =>
  (raw: string): T => {
    if (!(allowed as readonly string[]).includes(raw))
      throw new Error(`must be one of ${allowed.join(', ')}`);
    return raw as T;
  };

/** Empty: `/metrics` is open. Otherwise a bearer token Prometheus sends (`authorization` in its scrape config). */
function parseMetricsToken(raw: string): string | null {
  if (raw === '') return null;
  if (!/^[A-Za-z0-9._~+/=-]{16,200}$/.test(raw))
    throw new Error(
      'must be 16-200 characters of letters, digits and ._~+/=- (e.g. openssl rand -hex 32)',
    );
  return raw;
}

function parseRedisPrefix(raw: string): string {
  if (!/^[A-Za-z0-9{}_.-]{1,50}$/.test(raw))
    throw new Error('must be 1-50 letters, digits, braces, dots, dashes or underscores');
  return raw;
}

/** `true`/`false`, a hop count, or a comma-separated list of addresses/subnets (Express's forms). */
function parseTrustProxy(raw: string): boolean | number | string {
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  if (/^[0-9a-fA-F:.,/ ]+$|^(loopback|linklocal|uniquelocal)(,|$)/.test(raw)) return raw;
  throw new Error('must be true, false, a hop count, or addresses/subnets');
}

function parseNameList(raw: string): string[] {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0 || names.some((name) => !/^[A-Z][A-Za-z0-9]{0,49}$/.test(name))) {
    throw new Error('must be a comma-separated list of names in PascalCase, e.g. Contact,Company');
  }
  return [...new Set(names)];
}

function parseSubnets(raw: string): string[] {
  const subnets = raw
    .split(',')
    .map((subnet) => subnet.trim())
    .filter(Boolean);
  for (const subnet of subnets) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(subnet))
      throw new Error(`"${subnet}" is not a CIDR subnet such as 10.1.0.0/16`);
  }
  return subnets;
}
