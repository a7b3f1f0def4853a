import { Module } from '@nestjs/common';

/** Placeholder: filled in by the reconciler work. */
@Module({})
export class ReconcilerModule {}
