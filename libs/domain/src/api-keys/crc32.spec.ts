import { crc32 } from './crc32';

describe(crc32.name, () => {
  it('matches the standard check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  it('is unsigned', () => {
    expect(crc32('hrld_')).toBeGreaterThanOrEqual(0);
    expect(crc32('')).toBe(0);
  });
});
