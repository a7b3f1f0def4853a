import { Module } from '@nestjs/common';

/** Placeholder: filled in by the dispatch work. */
@Module({})
export class DispatchModule {}
