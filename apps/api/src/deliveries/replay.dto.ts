import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, ValidateIf } from 'class-validator';

export class ReplayDto {
  @ApiProperty({
    format: 'date-time',
    description: 'Events recorded at or after this instant (ISO-8601 with a time zone)',
    example: '2026-11-26T00:00:00Z',
  })
  @IsString()
  @MaxLength(40)
  from!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Events recorded before this instant; defaults to now',
  })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxLength(40)
  to?: string;
}
