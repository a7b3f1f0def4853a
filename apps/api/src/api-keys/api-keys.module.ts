import { Module } from '@nestjs/common';
import { ClearApiKeyHandler } from './clear-api-key.handler';
import { MyApiKeyController } from './my-api-key.controller';
import { RegenerateApiKeyHandler } from './regenerate-api-key.handler';

@Module({
  controllers: [MyApiKeyController],
  providers: [RegenerateApiKeyHandler, ClearApiKeyHandler],
})
export class ApiKeysModule {}
