/** Emails are compared and stored in this form, so `Ann@Example.com ` and `ann@example.com` are one user. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** RFC 5321's limit on a forward path. */
const MAX_EMAIL_LENGTH = 254;

/**
 * A deliberately loose check — one `@`, something before it, a dotted domain after it, no spaces —
 * that catches typos and pasted garbage. Deliverability is not ours to judge here.
 */
export function isPlausibleEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(email);
}
