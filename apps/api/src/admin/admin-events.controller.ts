import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Access } from '../auth/access.decorator';
import { CURSOR_PART, decodeCursor, toPage, type Page } from '../common/pagination';
import { AuditEventPage, type AuditEventView } from './audit-event.view';
import { redact } from './event-redaction';
import { ListEventsQuery } from './list-events.query';

interface EventRow {
  position: string;
  id: string;
  stream: string;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: Date;
}

@ApiTags('admin')
@Controller('v1/admin/events')
export class AdminEventsController {
  constructor(private readonly db: DataSource) {}

  /** The audit log in position order, with hashes and secrets redacted. */
  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'The audit log: every recorded event, secrets redacted' })
  @ApiOkResponse({ type: AuditEventPage })
  async list(@Query() query: ListEventsQuery): Promise<Page<AuditEventView>> {
    const params: unknown[] = [
      query.cursor ? decodeCursor(query.cursor, [CURSOR_PART.position])[0] : (query.after ?? '0'),
    ];
    const conditions = ['position > $1'];
    if (query.type) {
      params.push(query.type);
      conditions.push(`type = $${params.length}`);
    }
    if (query.stream) {
      params.push(query.stream);
      conditions.push(`stream = $${params.length}`);
    }
    params.push(query.limit + 1);
    const rows: EventRow[] = await this.db.query(
      `SELECT position, id, stream, version, type, data, metadata, recorded_at FROM events
        WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, toAuditView, (row) => [row.position]);
  }
}

function toAuditView(row: EventRow): AuditEventView {
  return {
    position: row.position,
    id: row.id,
    stream: row.stream,
    version: row.version,
    type: row.type,
    data: redact(row.data),
    metadata: redact(row.metadata),
    recordedAt: row.recorded_at.toISOString(),
  };
}
