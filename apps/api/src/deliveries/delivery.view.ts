import { ApiProperty } from '@nestjs/swagger';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'exhausted', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One (event, webhook) pair and where its delivery stands. */
export class DeliveryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) webhookId!: string;
  @ApiProperty({ format: 'uuid', description: "The event's id: the request's webhook-id" })
  eventId!: string;
  @ApiProperty({ example: 'Contact.Update' }) type!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it was skipped or exhausted (e.g. owner_api_access_off, endpoint_gone)',
  })
  reason!: string | null;
  @ApiProperty() attemptCount!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class DeliveryAttemptView {
  @ApiProperty({ description: '1 for the first attempt' }) number!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null when no response came' })
  statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Timeout, connection error, …' })
  error!: string | null;
  @ApiProperty({ description: 'At most 64 KiB of the response body; may be truncated' })
  responseBody!: string;
}

export class DeliveryDetailView extends DeliveryView {
  @ApiProperty({
    type: [DeliveryAttemptView],
    description: 'The latest 50 attempts, oldest first (attemptCount tells how many there were)',
  })
  attempts!: DeliveryAttemptView[];
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryView] }) items!: DeliveryView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ReplayView {
  @ApiProperty({ description: 'Past events in the range that match the webhook, sent again' })
  count!: number;
}
