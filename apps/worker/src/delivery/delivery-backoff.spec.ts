import {
  UNEXPECTED_ERROR_MAX_DELAY_MS,
  deliveryBackoff,
  unexpectedErrorDelay,
} from './delivery-backoff';
import { DeliveryRetryScheduled } from './delivery-retry-scheduled';

describe('deliveryBackoff', () => {
  it('answers the delay a recorded failed attempt carries', () => {
    const error = new DeliveryRetryScheduled('d-1', 2, 'HTTP 500', 300_000);
    expect(deliveryBackoff(2, 'herald-schedule', error)).toBe(300_000);
    expect(deliveryBackoff(9, 'herald-schedule', new DeliveryRetryScheduled('d', 1, 'x', 0))).toBe(
      0,
    );
  });

  it('backs off exponentially after an unexpected error', () => {
    const delay = deliveryBackoff(1, 'herald-schedule', new Error('connection terminated'));
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1200);
  });
});

describe(unexpectedErrorDelay.name, () => {
  const exact = () => 0.5;

  it('doubles from 1 s and stops at 5 min', () => {
    expect([1, 2, 3, 4].map((n) => unexpectedErrorDelay(n, exact))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(unexpectedErrorDelay(20, exact)).toBe(UNEXPECTED_ERROR_MAX_DELAY_MS);
    expect(unexpectedErrorDelay(10_000, exact)).toBe(UNEXPECTED_ERROR_MAX_DELAY_MS);
  });

  it('spreads ±20%', () => {
    expect(unexpectedErrorDelay(1, () => 0)).toBe(800);
    expect(unexpectedErrorDelay(1, () => 1)).toBe(1200);
  });
});

describe(DeliveryRetryScheduled.name, () => {
  it('names ids and the short failure only', () => {
    const sut = new DeliveryRetryScheduled('d-1', 3, 'timeout', 5000);
    expect(sut.message).toBe('Delivery d-1 attempt 3 failed (timeout); next attempt in 5000 ms');
    expect(sut.name).toBe('DeliveryRetryScheduled');
  });
});
