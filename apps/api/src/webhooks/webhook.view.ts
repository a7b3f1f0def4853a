import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_STATUS_REASONS, WEBHOOK_STATUSES } from '@herald/domain';

/** A webhook subscription as the API shows it: never its secret (sealed or not). */
export class WebhookView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) ownerId!: string;
  @ApiProperty({ example: 'https://example.com/hooks/herald' }) url!: string;
  @ApiProperty({ description: 'A catalog entity, ApiKey or *', example: 'Contact' })
  entity!: string;
  @ApiProperty({ description: 'An operation of that entity or *', example: 'Update' })
  operation!: string;
  @ApiProperty({ enum: WEBHOOK_STATUSES }) status!: 'on' | 'off';
  @ApiProperty({
    enum: WEBHOOK_STATUS_REASONS,
    nullable: true,
    description: 'Why the status last changed; null while it is the status it was created with',
  })
  statusReason!: 'admin' | 'owner' | 'endpoint_gone' | 'failing' | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({
    description:
      'The signing secret (Standard Webhooks). It is shown only in this response; store it now.',
    example: 'whsec_…',
  })
  secret!: string;
}

export class WebhookPage {
  @ApiProperty({ type: [WebhookView] }) items!: WebhookView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class RotatedSecretView {
  @ApiProperty({ description: 'The new signing secret, shown only here', example: 'whsec_…' })
  secret!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'Until then requests carry a signature with the previous secret as well',
  })
  previousValidUntil!: string;
}

export class PingView {
  @ApiProperty({
    format: 'uuid',
    description: "The ping event's id: the webhook-id header of the request it sends",
  })
  eventId!: string;
}
