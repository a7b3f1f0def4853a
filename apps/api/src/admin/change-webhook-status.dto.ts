import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_STATUSES, type WebhookStatus } from '@herald/domain';
import { IsIn } from 'class-validator';

export class ChangeWebhookStatusDto {
  @ApiProperty({ enum: WEBHOOK_STATUSES })
  @IsIn(WEBHOOK_STATUSES)
  status!: WebhookStatus;
}
