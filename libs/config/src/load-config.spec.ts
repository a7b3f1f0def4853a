import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const valid = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/herald',
  REDIS_URL: 'redis://127.0.0.1:6379',
  HERALD_SECRET_KEY: SECRET,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe(loadConfig.name, () => {
  it('applies the documented defaults', () => {
    const sut = loadConfig(valid);
    expect(sut.port).toBe(3000);
    expect(sut.retryScheduleSeconds).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(sut.deliveryTimeoutMs).toBe(15000);
    expect(sut.allowPrivateTargets).toBe(false);
    expect(sut.migrate).toBe(true);
    expect(sut.bootstrapAdmin).toBeNull();
    expect(sut.secretKey).toHaveLength(32);
    expect(sut.metricsToken).toBeNull();
    expect(sut.jobLockMs).toBe(30000);
  });

  it('names every missing required variable', () => {
    expect(problemsOf({})).toEqual(['DATABASE_URL', 'REDIS_URL', 'HERALD_SECRET_KEY']);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['REDIS_URL', 'not a url'],
    ['HERALD_SECRET_KEY', Buffer.alloc(16).toString('base64')],
    ['HERALD_ALLOW_PRIVATE_TARGETS', 'maybe'],
    ['HERALD_RETRY_SCHEDULE', '5,soon'],
    ['HERALD_DELIVERY_TIMEOUT_MS', '-1'],
    ['HERALD_MIGRATE', 'sometimes'],
    ['HERALD_JOB_LOCK_MS', '500'],
    ['HERALD_METRICS_TOKEN', 'too-short'],
    ['HERALD_METRICS_TOKEN', 'has spaces in the middle of it'],
  ])('rejects %s=%s and names it', (variable, value) => {
    expect(problemsOf({ ...valid, [variable]: value })).toEqual([variable]);
  });

  it('takes a metrics token of at least 16 safe characters', () => {
    const token = 'a'.repeat(16) + '-._~+/=';
    expect(loadConfig({ ...valid, HERALD_METRICS_TOKEN: token }).metricsToken).toBe(token);
  });

  it('takes the bootstrap admin only as a pair', () => {
    expect(problemsOf({ ...valid, HERALD_ADMIN_EMAIL: 'a@example.com' })).toEqual([
      'HERALD_ADMIN_PASSWORD',
    ]);
    const sut = loadConfig({
      ...valid,
      HERALD_ADMIN_EMAIL: 'a@example.com',
      HERALD_ADMIN_PASSWORD: 'long enough',
    });
    expect(sut.bootstrapAdmin).toEqual({ email: 'a@example.com', password: 'long enough' });
  });

  it('does not echo the secret key in its message', () => {
    const bad = 'c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0';
    expect(() => loadConfig({ ...valid, HERALD_SECRET_KEY: bad })).toThrow(/HERALD_SECRET_KEY/);
    try {
      loadConfig({ ...valid, HERALD_SECRET_KEY: bad });
    } catch (error) {
      expect((error as Error).message).not.toContain(bad);
    }
  });
});
