import { Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { RequestContext, type CommandContext } from '../common/command-context';
import { ClearApiKeyCommand } from './clear-api-key.command';
import { IssuedApiKeyView } from './api-key.view';
import { RegenerateApiKeyCommand } from './regenerate-api-key.command';

@ApiTags('you')
@Controller('v1/me/api-key')
export class MyApiKeyController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Access('user')
  @ApiOperation({
    summary: 'Enable API access or regenerate your key',
    description:
      'The previous key fails from this moment. The new key is shown only in this response.',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyView })
  async regenerate(
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<IssuedApiKeyView> {
    const issued = await this.commands.execute(
      new RegenerateApiKeyCommand(principal.userId, context),
    );
    return {
      apiKey: issued.apiKey,
      keyPrefix: issued.keyPrefix,
      createdAt: issued.createdAt.toISOString(),
    };
  }

  @Delete()
  @Access('user')
  @HttpCode(204)
  @ApiOperation({ summary: 'Turn your API access off; the key fails from this moment' })
  @ApiNoContentResponse()
  async turnOff(
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<void> {
    await this.commands.execute(new ClearApiKeyCommand(principal.userId, 'self', context));
  }
}
