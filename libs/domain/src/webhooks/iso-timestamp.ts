import { InvalidInput } from '../errors';

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * An ISO-8601 date-time with a time zone (`Z` or `±hh:mm`), normalised to UTC milliseconds as
 * `Date.toISOString` writes it. Calendar-invalid dates (`2026-02-30`, `24:00`) are refused rather
 * than rolled over as `Date` would. Throws `InvalidInput` naming `field`.
 */
export function requireIsoTimestamp(field: string, value: unknown): string {
  const parts = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (parts === null || !isCalendarValid(parts)) {
    throw new InvalidInput(field, 'must be an ISO-8601 date-time with a time zone');
  }
  return new Date(parts[0]).toISOString();
}

function isCalendarValid(parts: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = parts
    .slice(1)
    .map((part) => Number(part ?? 0));
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
