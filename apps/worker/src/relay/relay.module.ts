import { Module } from '@nestjs/common';

/** Placeholder: filled in by the relay work. */
@Module({})
export class RelayModule {}
