import { Module } from '@nestjs/common';

/** Placeholder: filled in by the delivery work. */
@Module({})
export class DeliveryModule {}
