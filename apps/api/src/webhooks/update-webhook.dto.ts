import { ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_WEBHOOK_URL_LENGTH } from '@herald/delivery';
import { WEBHOOK_STATUSES, type WebhookStatus } from '@herald/domain';
import { IsIn, IsString, MaxLength, ValidateIf } from 'class-validator';

/** Absent fields stay as they are (`null` is refused, not taken as "unchanged"). */
const present = (_: object, value: unknown): boolean => value !== undefined;

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: MAX_WEBHOOK_URL_LENGTH })
  @ValidateIf(present)
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url?: string;

  @ApiPropertyOptional({ example: 'Contact' })
  @ValidateIf(present)
  @IsString()
  @MaxLength(100)
  entity?: string;

  @ApiPropertyOptional({ example: '*' })
  @ValidateIf(present)
  @IsString()
  @MaxLength(100)
  operation?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_STATUSES })
  @ValidateIf(present)
  @IsIn(WEBHOOK_STATUSES)
  status?: WebhookStatus;
}
