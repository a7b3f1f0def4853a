import { parseRetryAfter } from './retry-after';

const now = Date.parse('2026-11-26T12:00:00.000Z');

describe(parseRetryAfter.name, () => {
  it.each([
    ['120', 120],
    ['0', 0],
    [' 30 ', 30],
    ['Thu, 26 Nov 2026 12:01:30 GMT', 90],
    ['Thursday, 26-Nov-26 12:01:30 GMT', 90],
    ['Thu, 26 Nov 2026 12:00:00 GMT', 0],
    ['Thu, 26 Nov 2026 11:00:00 GMT', 0],
    ['Thu, 26 Nov 2026 12:00:00 GMT', 0],
  ])('reads %p as %i seconds', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it('rounds a date up to whole seconds', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:01 GMT', now - 500)).toBe(2);
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['5', '60'], now)).toBe(5);
  });

  it.each([undefined, '', '-5', '1.5', '5s', 'soon', '2026-11-26T12:01:00Z', 'Thu'])(
    'ignores %p',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeNull();
    },
  );
});
