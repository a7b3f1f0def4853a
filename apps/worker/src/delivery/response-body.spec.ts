import { MAX_STORED_RESPONSE_BYTES, truncateUtf8 } from './response-body';

describe(truncateUtf8.name, () => {
  it('keeps a short text as it is', () => {
    expect(truncateUtf8('ok ✓', 10)).toBe('ok ✓');
  });

  it('cuts at a character boundary, never splitting a character', () => {
    expect(truncateUtf8('ab✓cd', 4)).toBe('ab'); // ✓ is 3 bytes
    expect(truncateUtf8('ab✓cd', 5)).toBe('ab✓');
    expect(truncateUtf8('😀😀', 5)).toBe('😀');
  });

  it('bounds a body of replacement characters (3 bytes each) to 64 KiB', () => {
    const sut = truncateUtf8('\uFFFD'.repeat(MAX_STORED_RESPONSE_BYTES));
    expect(Buffer.byteLength(sut)).toBeLessThanOrEqual(MAX_STORED_RESPONSE_BYTES);
    expect(Buffer.byteLength(sut)).toBeGreaterThan(MAX_STORED_RESPONSE_BYTES - 3);
  });
});
