import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../common/pagination';

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ['enabled', 'disabled'],
    description: 'Only users whose API access is on (or off)',
  })
  @IsOptional()
  @IsIn(['enabled', 'disabled'])
  apiAccess?: 'enabled' | 'disabled';
}
