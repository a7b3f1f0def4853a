import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { RequestContext, type CommandContext } from '../common/command-context';
import { PageQuery, type Page } from '../common/pagination';
import { ProblemException } from '../common/problem.exception';
import { UuidParam } from '../common/uuid-param.pipe';
import { UserDirectory } from '../users/user-directory';
import { UpdateWebhookCommand } from '../webhooks/update-webhook.command';
import { WebhookDirectory } from '../webhooks/webhook-directory';
import { webhookActor } from '../webhooks/webhook-rules';
import { WebhookPage, WebhookView } from '../webhooks/webhook.view';
import { ChangeWebhookStatusDto } from './change-webhook-status.dto';

@ApiTags('admin')
@Controller('v1/admin')
export class AdminWebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UserDirectory,
    private readonly webhooks: WebhookDirectory,
  ) {}

  @Get('users/:userId/webhooks')
  @Access('admin')
  @ApiOperation({ summary: 'The webhooks subscribed by one user, oldest first' })
  @ApiOkResponse({ type: WebhookPage })
  @ApiNotFoundResponse({ description: 'No such user (problem+json)' })
  async listForUser(
    @Param('userId', UuidParam) userId: string,
    @Query() query: PageQuery,
  ): Promise<Page<WebhookView>> {
    if (!(await this.users.findById(userId))) throw ProblemException.notFound(`No user ${userId}`);
    return this.webhooks.listByOwner(userId, query);
  }

  @Patch('webhooks/:webhookId')
  @Access('admin')
  @ApiOperation({
    summary: "Turn anyone's webhook on or off",
    description: "Recorded with reason 'admin'.",
  })
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ description: 'No such webhook (problem+json)' })
  async changeStatus(
    @Param('webhookId', UuidParam) webhookId: string,
    @Body() body: ChangeWebhookStatusDto,
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<WebhookView> {
    const actor = webhookActor(principal);
    await this.commands.execute(
      new UpdateWebhookCommand(webhookId, actor, {}, body.status, 'admin', context),
    );
    return this.webhooks.getVisible(webhookId, actor);
  }
}
