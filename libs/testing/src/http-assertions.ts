import type { Response } from 'supertest';
import type { TestApi } from './test-api';

/** An RFC 9457 problem body as Herald sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export const PROBLEM_JSON = /^application\/problem\+json/;

/** `{ authorization: 'Bearer …' }`, for `.set(…)`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `body` has the RFC 9457 members Herald promises (and well-formed `errors` if any). */
export function isProblem(body: unknown): body is ProblemBody {
  if (!isRecord(body)) return false;
  const { type, title, status, detail, errors } = body;
  if (
    typeof type !== 'string' ||
    typeof title !== 'string' ||
    typeof status !== 'number' ||
    typeof detail !== 'string'
  ) {
    return false;
  }
  if (errors === undefined) return true;
  return (
    Array.isArray(errors) &&
    errors.every(
      (error) =>
        isRecord(error) && typeof error.field === 'string' && typeof error.message === 'string',
    )
  );
}

/**
 * Asserts that `response` is a problem+json answer with `status` (or one of several) and returns
 * its body. The failure message shows the whole response, so a surprise is easy to read.
 */
export function expectProblem(response: Response, status: number | readonly number[]): ProblemBody {
  const allowed = typeof status === 'number' ? [status] : status;
  const summary = `${response.status} ${response.headers['content-type'] ?? '(no content-type)'} ${response.text}`;
  if (!allowed.includes(response.status))
    throw new Error(`expected status ${allowed.join(' or ')}, got ${summary}`);
  if (!PROBLEM_JSON.test(response.headers['content-type'] ?? ''))
    throw new Error(`expected application/problem+json, got ${summary}`);
  const body: unknown = JSON.parse(response.text);
  if (!isProblem(body))
    throw new Error(`expected a problem body {type, title, status, detail}, got ${summary}`);
  if (body.status !== response.status)
    throw new Error(`problem.status ${body.status} differs from HTTP status: ${summary}`);
  return body;
}

/** Like expectProblem, and the body lists `field` in `errors`. */
export function expectFieldError(
  response: Response,
  status: number | readonly number[],
  field: string,
): ProblemBody {
  const body = expectProblem(response, status);
  const fields = (body.errors ?? []).map((error) => error.field);
  if (!fields.includes(field)) {
    throw new Error(
      `expected errors[] to name "${field}", got ${JSON.stringify(body.errors)} in ${response.status} ${response.text}`,
    );
  }
  return body;
}

/** The number of rows in `events`: what a rejected request must leave alone. */
export async function countEvents(api: TestApi): Promise<number> {
  const rows: { n: number }[] = await api.db.query('SELECT count(*)::int AS n FROM events');
  return rows[0].n;
}

/** Rows of `table` ordered by `orderBy`, as JSON text (deterministic, comparable). */
export async function tableRows(api: TestApi, table: string, orderBy: string): Promise<unknown[]> {
  const rows: { row: unknown }[] = await api.db.query(
    `SELECT to_jsonb(t) AS row FROM "${table}" t ORDER BY ${orderBy}`,
  );
  return rows.map((row) => row.row);
}

/** A string field of a JSON response body (fails clearly when absent). */
export function stringField(body: unknown, name: string): string {
  if (!isRecord(body) || typeof body[name] !== 'string')
    throw new Error(`expected a string "${name}" in ${JSON.stringify(body)}`);
  return body[name];
}

/** An object field of a JSON response body. */
export function objectField(body: unknown, name: string): Record<string, unknown> {
  if (!isRecord(body) || !isRecord(body[name]))
    throw new Error(`expected an object "${name}" in ${JSON.stringify(body)}`);
  return body[name];
}

/** `items` of a list response. */
export function listItems(body: unknown): Record<string, unknown>[] {
  if (!isRecord(body) || !Array.isArray(body.items) || !body.items.every(isRecord)) {
    throw new Error(`expected a list {items, nextCursor}, got ${JSON.stringify(body)}`);
  }
  return body.items;
}

export { isRecord };
