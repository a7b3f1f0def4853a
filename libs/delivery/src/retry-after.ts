const DELTA_SECONDS = /^\d+$/;

/**
 * Parses a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns whole
 * seconds from `nowMs` (a date in the past gives 0), or null for a missing or malformed value.
 * No clamping here: that is the retry policy's decision.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  nowMs: number = Date.now(),
): number | null {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (raw === undefined || raw === '') {
    return null;
  }
  if (DELTA_SECONDS.test(raw)) {
    const seconds = Number(raw);
    return Number.isFinite(seconds) ? seconds : null;
  }
  // Date.parse accepts RFC 1123 (IMF-fixdate) and the obsolete forms HTTP allows; demanding a
  // weekday keeps bare numbers and ISO strings out.
  const dateMs = /^[A-Za-z]{3}/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(dateMs)) {
    return null;
  }
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}
