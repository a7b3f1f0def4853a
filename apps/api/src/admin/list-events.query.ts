import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../common/pagination';

export class ListEventsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only events after this global position', example: '0' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'must be a global position (a whole number)' })
  after?: string;

  @ApiPropertyOptional({ example: 'KeyRegenerated' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;

  @ApiPropertyOptional({ example: 'user-5b0c…' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  stream?: string;
}
