import { ApiProperty } from '@nestjs/swagger';

export class ApiAccessView {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'hrld_AbCd1234' }) keyPrefix!:
    string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastRegeneratedAt!:
    string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) clearedAt!: string | null;
}

/** A user as the API shows it: never the password hash or the key hash. */
export class UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['admin', 'user'] }) role!: 'admin' | 'user';
  @ApiProperty({ type: ApiAccessView }) apiAccess!: ApiAccessView;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class UserPage {
  @ApiProperty({ type: [UserView] }) items!: UserView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
