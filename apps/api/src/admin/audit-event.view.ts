import { ApiProperty } from '@nestjs/swagger';

export class AuditEventView {
  @ApiProperty({ description: 'Global position (a decimal string: it may exceed 2^53)' })
  position!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() stream!: string;
  @ApiProperty() version!: number;
  @ApiProperty() type!: string;
  @ApiProperty({ type: Object, description: 'Hashes and secrets redacted' }) data!: unknown;
  @ApiProperty({ type: Object }) metadata!: unknown;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventView] }) items!: AuditEventView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
