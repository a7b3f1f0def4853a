import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { ProblemException } from '../common/problem.exception';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Printable ASCII, 1 to 200 characters (what clients put in headers: UUIDs, ULIDs, hashes). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;

/** The request's `Idempotency-Key`, or null without one; a malformed key is a 400. */
export const IdempotencyKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | null => {
    const value = context.switchToHttp().getRequest<Request>().headers[IDEMPOTENCY_KEY_HEADER];
    if (value === undefined) return null;
    if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
      throw ProblemException.validation([
        {
          field: 'Idempotency-Key',
          message:
            'must be 1 to 200 printable ASCII characters, without leading or trailing spaces',
        },
      ]);
    }
    return value;
  },
);

/**
 * SHA-256 of the body as canonical JSON (object keys sorted at every depth): the same request sent
 * again with its keys in another order is the same request.
 */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
