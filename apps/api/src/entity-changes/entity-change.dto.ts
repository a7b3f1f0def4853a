import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_ENTITY_ID_LENGTH } from '@herald/domain';
import { IsObject, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';

const present = (_: object, value: unknown): boolean => value !== undefined;

/** One reported change. Shapes here (400); the catalog, JSON content and timestamp in the domain (422). */
export class EntityChangeDto {
  @ApiProperty({ example: 'Contact', description: 'A catalog entity' })
  @IsString()
  @MaxLength(100)
  entity!: string;

  @ApiProperty({ example: '42', minLength: 1, maxLength: MAX_ENTITY_ID_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_ENTITY_ID_LENGTH)
  entityId!: string;

  @ApiProperty({ example: 'Update', description: 'A catalog operation' })
  @IsString()
  @MaxLength(100)
  operation!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Anything about the change, delivered as is; {} when omitted',
    example: { name: 'Ada Lovelace' },
  })
  @ValidateIf(present)
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When it happened (ISO-8601 with a time zone); the time of receipt when omitted',
  })
  @ValidateIf(present)
  @IsString()
  @MaxLength(40)
  occurredAt?: string;
}
