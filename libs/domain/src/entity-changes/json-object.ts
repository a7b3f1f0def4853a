import { InvalidInput } from '../errors';
import type { JsonObject } from '../events/json';

/** Objects and arrays nested deeper than any sane entity snapshot; the limit keeps recursion bounded. */
export const MAX_JSON_DEPTH = 32;

/**
 * A NUL character or an unpaired surrogate: JSON can carry them, but PostgreSQL's jsonb refuses
 * them, and the append would fail with a 500 instead of a clear 422.
 */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * `value` when it is a plain JSON object that jsonb can store exactly: only objects, arrays,
 * strings, finite numbers, booleans and null, at most `MAX_JSON_DEPTH` deep. Throws `InvalidInput`
 * naming `field`.
 */
export function requireJsonObject(field: string, value: unknown): JsonObject {
  if (!isPlainObject(value)) {
    throw new InvalidInput(field, 'must be a JSON object');
  }
  checkJson(field, value, 1);
  return value as JsonObject;
}

function checkJson(field: string, value: unknown, depth: number): void {
  if (value === null || typeof value === 'boolean') {
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new InvalidInput(field, 'must contain only finite numbers');
    }
    return;
  }
  if (typeof value === 'string') {
    checkText(field, value);
    return;
  }
  if (depth > MAX_JSON_DEPTH) {
    throw new InvalidInput(field, `must not nest deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      checkJson(field, item, depth + 1);
    }
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkText(field, key);
      checkJson(field, item, depth + 1);
    }
    return;
  }
  throw new InvalidInput(field, 'must contain only JSON values');
}

function checkText(field: string, text: string): void {
  if (text.includes('\u0000') || UNPAIRED_SURROGATE.test(text)) {
    throw new InvalidInput(field, 'must not contain NUL characters or unpaired surrogates');
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
