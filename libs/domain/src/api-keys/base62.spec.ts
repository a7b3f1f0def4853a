import { BASE62_ALPHABET, encodeBase62, randomBase62 } from './base62';

describe(randomBase62.name, () => {
  it('returns exactly the requested number of base62 characters', () => {
    for (const length of [0, 1, 8, 32, 1000]) {
      expect(randomBase62(length)).toMatch(new RegExp(`^[0-9A-Za-z]{${length}}$`));
    }
  });

  it('uses every character about equally often (no modulo bias)', () => {
    const sample = randomBase62(62 * 2000);
    const counts = new Map<string, number>();
    for (const char of sample) {
      counts.set(char, (counts.get(char) ?? 0) + 1);
    }

    expect(counts.size).toBe(62);
    // Expected 2000 each, σ ≈ 44. A plain `byte % 62` would give the first 8 ≈ 2420, the rest ≈ 1940.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(1750);
      expect(count).toBeLessThan(2250);
    }
  });
});

describe(encodeBase62.name, () => {
  it.each([
    [0, 6, '000000'],
    [61, 1, 'z'],
    [62, 2, '10'],
    [0xffffffff, 6, '4gfFC3'],
  ])('encodes %d in %d characters as %s', (value, width, expected) => {
    expect(encodeBase62(value, width)).toBe(expected);
  });

  it('fits every 32-bit value in 6 characters', () => {
    expect(62 ** 6).toBeGreaterThan(2 ** 32);
    expect(encodeBase62(0xffffffff, 6)).toHaveLength(6);
  });

  it('uses the alphabet in order', () => {
    expect([...BASE62_ALPHABET].map((_, index) => encodeBase62(index, 1)).join('')).toBe(
      BASE62_ALPHABET,
    );
  });
});
