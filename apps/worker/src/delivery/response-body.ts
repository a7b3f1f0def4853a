/** The most of a receiver's answer kept in `delivery_attempts.response_body` (DESIGN.md: 64 KiB). */
export const MAX_STORED_RESPONSE_BYTES = 64 * 1024;

/**
 * `text` cut to at most `maxBytes` of UTF-8, at a character boundary. The sender reads at most
 * 64 KiB, but decoding invalid bytes as U+FFFD can make the text longer than the bytes read.
 */
export function truncateUtf8(text: string, maxBytes: number = MAX_STORED_RESPONSE_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}
