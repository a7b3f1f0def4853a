import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_WEBHOOK_URL_LENGTH } from '@herald/delivery';
import { WEBHOOK_STATUSES, type WebhookStatus } from '@herald/domain';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** Shapes only; the URL policy and the catalog are checked by the command (422). */
export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://example.com/hooks/herald',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description: 'http or https, no credentials, no private or reserved destination',
  })
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url!: string;

  @ApiProperty({ example: 'Contact', description: 'A catalog entity, ApiKey or *' })
  @IsString()
  @MaxLength(100)
  entity!: string;

  @ApiProperty({ example: 'Update', description: 'An operation of that entity or *' })
  @IsString()
  @MaxLength(100)
  operation!: string;

  @ApiPropertyOptional({ enum: WEBHOOK_STATUSES, default: 'on' })
  @IsOptional()
  @IsIn(WEBHOOK_STATUSES)
  status?: WebhookStatus;
}
