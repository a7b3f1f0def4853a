import { failureText, judgeAttempt, type AttemptResult } from './attempt-verdict';

const result = (overrides: Partial<AttemptResult>): AttemptResult => ({
  statusCode: 200,
  error: null,
  retryAfterSeconds: null,
  ...overrides,
});
const schedule = [5, 300];
const exact = () => 0.5;

describe(judgeAttempt.name, () => {
  it('2xx succeeds', () => {
    expect(judgeAttempt(result({ statusCode: 204 }), 1, schedule)).toEqual({ kind: 'succeeded' });
  });

  it('410 is gone, whatever the schedule', () => {
    expect(judgeAttempt(result({ statusCode: 410 }), 3, schedule)).toEqual({ kind: 'gone' });
  });

  it.each([
    [500, null, 'HTTP 500'],
    [302, null, 'HTTP 302'],
    [404, null, 'HTTP 404'],
    [null, 'timeout', 'timeout'],
    [null, 'connection refused', 'connection refused'],
    [200, 'timeout', 'timeout'],
  ])('retries %p / %p on the schedule (%s)', (statusCode, error, failure) => {
    expect(judgeAttempt(result({ statusCode, error }), 1, schedule, exact)).toEqual({
      kind: 'retry',
      failure,
      delayMs: 5000,
    });
    expect(judgeAttempt(result({ statusCode, error }), 2, schedule, exact)).toEqual({
      kind: 'retry',
      failure,
      delayMs: 300_000,
    });
  });

  it('exhausts after the last scheduled retry, with the last failure as the reason', () => {
    expect(judgeAttempt(result({ statusCode: 503 }), 3, schedule)).toEqual({
      kind: 'exhausted',
      failure: 'HTTP 503',
    });
    expect(judgeAttempt(result({ statusCode: 500 }), 1, [])).toEqual({
      kind: 'exhausted',
      failure: 'HTTP 500',
    });
  });

  it('waits at least Retry-After on a 429', () => {
    expect(
      judgeAttempt(result({ statusCode: 429, retryAfterSeconds: 120 }), 1, schedule, exact),
    ).toEqual({ kind: 'retry', failure: 'HTTP 429', delayMs: 120_000 });
  });
});

describe(failureText.name, () => {
  it('prefers the error text, else names the status', () => {
    expect(failureText(result({ statusCode: 500 }))).toBe('HTTP 500');
    expect(failureText(result({ statusCode: null, error: 'dns: not found' }))).toBe(
      'dns: not found',
    );
  });
});
