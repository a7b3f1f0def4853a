/** Field names whose values never leave the server, at any depth of an event's data or metadata. */
const SENSITIVE_FIELD = /hash|secret|password|token|ciphertext|apikey/i;

export const REDACTED = '[redacted]';

/** A deep copy of `value` with every sensitive field's value replaced by `[redacted]`. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
      key,
      SENSITIVE_FIELD.test(key) ? REDACTED : redact(inner),
    ]),
  );
}
