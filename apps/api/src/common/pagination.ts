import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ProblemException } from './problem.exception';

/** `?limit=&cursor=` of every list route. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Decodes a cursor this API handed out; `parts` checks each part, so a forged cursor is a 400 and
 * never reaches SQL.
 */
export function decodeCursor(cursor: string, parts: readonly RegExp[]): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === parts.length &&
      key.every(
        (part, index) => typeof part === 'string' && parts[index].test(part) && isRealValue(part),
      )
    ) {
      return key as string[];
    }
  } catch {
    // fall through to the problem below
  }
  throw ProblemException.validation([
    { field: 'cursor', message: 'is not a cursor this API handed out' },
  ]);
}

export const CURSOR_PART = {
  position: /^\d{1,18}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/,
} as const;

/** Takes one row more than the page to know whether another page follows. */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  view: (row: Row) => T,
  key: (row: Row) => string[],
): Page<T> {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(key(items[items.length - 1])) : null;
  return { items: items.map(view), nextCursor };
}

/** A timestamp part must also be a real instant (no month 13), or PostgreSQL's cast would fail. */
function isRealValue(part: string): boolean {
  if (!CURSOR_PART.timestamp.test(part)) return true;
  const time = Date.parse(`${part}Z`);
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 19) === part.slice(0, 19);
}

/** The SQL of a row's created-at cursor part: microseconds in UTC, as `createdAtCursorCondition` reads it. */
export function createdAtCursorColumn(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
}

/**
 * Keyset paging by (created_at, id): the condition for rows after (`>`, oldest first) or before
 * (`<`, newest first) the row a cursor names. Pushes the cursor's two parts onto `params`.
 */
export function createdAtCursorCondition(
  cursor: string,
  params: unknown[],
  columns: { createdAt: string; id: string },
  direction: '>' | '<',
): string {
  const [createdAt, id] = decodeCursor(cursor, [CURSOR_PART.timestamp, CURSOR_PART.uuid]);
  params.push(createdAt, id);
  return `(${columns.createdAt}, ${columns.id}) ${direction} ($${params.length - 1}::timestamp AT TIME ZONE 'UTC', $${params.length}::uuid)`;
}
