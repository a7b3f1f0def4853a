import { ApiProperty } from '@nestjs/swagger';

export class RecordedEntityChangeView {
  @ApiProperty({ format: 'uuid', description: "The event's id: the webhook-id receivers see" })
  eventId!: string;

  @ApiProperty({
    type: String,
    pattern: '^[0-9]+$',
    example: '1234',
    description: 'Global position of the event, as a decimal string (it may exceed 2^53)',
  })
  position!: string;
}

export class RecordedEntityChangesView {
  @ApiProperty({
    type: [RecordedEntityChangeView],
    description: 'One per reported change, in the order of the request',
  })
  events!: RecordedEntityChangeView[];
}
