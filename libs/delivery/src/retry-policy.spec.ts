import fc from 'fast-check';
import { MAX_RETRY_AFTER_SECONDS, classifyResponse, nextAttemptDelay } from './retry-policy';

const defaultSchedule = [5, 300, 1800, 7200, 18000, 36000, 36000];
const noJitter = () => 0.5;

const schedules = fc.array(fc.integer({ min: 0, max: 10 * 86_400 }), {
  minLength: 0,
  maxLength: 12,
});
const randoms = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe(nextAttemptDelay.name, () => {
  it('follows the schedule: after attempt n, schedule[n-1] seconds', () => {
    const delays = defaultSchedule.map((_, index) =>
      nextAttemptDelay({
        attemptNumber: index + 1,
        scheduleSeconds: defaultSchedule,
        random: noJitter,
      }),
    );

    expect(delays).toEqual(defaultSchedule.map((seconds) => seconds * 1000));
  });

  it('is exhausted after the last scheduled retry', () => {
    expect(nextAttemptDelay({ attemptNumber: 8, scheduleSeconds: defaultSchedule })).toBeNull();
    expect(nextAttemptDelay({ attemptNumber: 1, scheduleSeconds: [] })).toBeNull();
  });

  it('spreads by at most ±20%', () => {
    const at = (random: number) =>
      nextAttemptDelay({
        attemptNumber: 2,
        scheduleSeconds: defaultSchedule,
        random: () => random,
      });

    expect(at(0)).toBe(240_000);
    expect(at(0.999999)).toBeLessThanOrEqual(360_000);
    expect(at(0.999999)).toBeGreaterThan(359_000);
  });

  it('property: the delay is always within ±20% of the scheduled one, in whole ms', () => {
    fc.assert(
      fc.property(schedules, fc.nat(), randoms, (schedule, index, random) => {
        fc.pre(schedule.length > 0);
        const attemptNumber = (index % schedule.length) + 1;
        const scheduledMs = (schedule[attemptNumber - 1] as number) * 1000;

        const delay = nextAttemptDelay({
          attemptNumber,
          scheduleSeconds: schedule,
          random: () => random,
        });

        expect(delay).not.toBeNull();
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(Math.round(scheduledMs * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.round(scheduledMs * 1.2));
      }),
    );
  });

  it('property: exhausted exactly after the schedule length', () => {
    fc.assert(
      fc.property(
        schedules,
        fc.integer({ min: 1, max: 30 }),
        randoms,
        (schedule, attemptNumber, random) => {
          const delay = nextAttemptDelay({
            attemptNumber,
            scheduleSeconds: schedule,
            random: () => random,
          });

          expect(delay === null).toBe(attemptNumber > schedule.length);
        },
      ),
    );
  });

  describe('with Retry-After', () => {
    it('waits longer when the receiver asks for it', () => {
      expect(
        nextAttemptDelay({
          attemptNumber: 1,
          scheduleSeconds: [5],
          retryAfterSeconds: 120,
          random: noJitter,
        }),
      ).toBe(120_000);
    });

    it('never retries sooner than scheduled', () => {
      expect(
        nextAttemptDelay({
          attemptNumber: 2,
          scheduleSeconds: [5, 300],
          retryAfterSeconds: 1,
          random: noJitter,
        }),
      ).toBe(300_000);
    });

    it('waits at most an hour for it', () => {
      expect(
        nextAttemptDelay({
          attemptNumber: 1,
          scheduleSeconds: [5],
          retryAfterSeconds: 86_400,
          random: noJitter,
        }),
      ).toBe(3_600_000);
    });

    it('does not stop a long scheduled delay', () => {
      expect(
        nextAttemptDelay({
          attemptNumber: 1,
          scheduleSeconds: [7200],
          retryAfterSeconds: 10,
          random: noJitter,
        }),
      ).toBe(7_200_000);
    });

    it('does not resurrect an exhausted delivery', () => {
      expect(
        nextAttemptDelay({ attemptNumber: 2, scheduleSeconds: [5], retryAfterSeconds: 10 }),
      ).toBeNull();
    });

    it('property: max(jittered schedule, min(Retry-After, 1 h))', () => {
      fc.assert(
        fc.property(
          schedules,
          fc.nat(),
          randoms,
          fc.integer({ min: 0, max: 10 * 86_400 }),
          (schedule, index, random, retryAfterSeconds) => {
            fc.pre(schedule.length > 0);
            const attemptNumber = (index % schedule.length) + 1;
            const withoutIt = nextAttemptDelay({
              attemptNumber,
              scheduleSeconds: schedule,
              random: () => random,
            });

            const delay = nextAttemptDelay({
              attemptNumber,
              scheduleSeconds: schedule,
              retryAfterSeconds,
              random: () => random,
            });

            expect(delay).toBe(
              Math.max(
                withoutIt as number,
                Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1000,
              ),
            );
          },
        ),
      );
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses attemptNumber %p', (attemptNumber) => {
    expect(() => nextAttemptDelay({ attemptNumber, scheduleSeconds: defaultSchedule })).toThrow(
      RangeError,
    );
  });

  it('refuses a negative scheduled delay', () => {
    expect(() => nextAttemptDelay({ attemptNumber: 1, scheduleSeconds: [-5] })).toThrow(RangeError);
  });
});

describe(classifyResponse.name, () => {
  it.each([200, 201, 202, 204, 299])('%i is success', (status) => {
    expect(classifyResponse(status, null)).toBe('success');
  });

  it('410 is gone', () => {
    expect(classifyResponse(410, null)).toBe('gone');
  });

  it.each([
    100, 199, 300, 301, 302, 304, 307, 308, 400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504,
  ])('%i is retry', (status) => {
    expect(classifyResponse(status, null)).toBe('retry');
  });

  it('no status is retry', () => {
    expect(classifyResponse(null, 'connection refused')).toBe('retry');
    expect(classifyResponse(null, 'timeout')).toBe('retry');
  });

  it('an error after a 2xx status (deadline hit mid-body) is retry', () => {
    expect(classifyResponse(200, 'timeout')).toBe('retry');
  });
});
