import { ApiProperty } from '@nestjs/swagger';

export class IssuedApiKeyView {
  @ApiProperty({
    description: 'The API key. It is shown only in this response; store it now.',
    example: 'hrld_…',
  })
  apiKey!: string;

  @ApiProperty({ example: 'hrld_AbCd1234' })
  keyPrefix!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
