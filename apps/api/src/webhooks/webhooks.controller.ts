import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { RequestContext, type CommandContext } from '../common/command-context';
import { PageQuery, type Page } from '../common/pagination';
import { UuidParam } from '../common/uuid-param.pipe';
import { CreateWebhookDto } from './create-webhook.dto';
import { DeleteWebhookCommand } from './delete-webhook.command';
import { PingWebhookCommand } from './ping-webhook.command';
import { RotateWebhookSecretCommand } from './rotate-webhook-secret.command';
import { SubscribeWebhookCommand } from './subscribe-webhook.command';
import { UpdateWebhookCommand } from './update-webhook.command';
import { UpdateWebhookDto } from './update-webhook.dto';
import { WebhookDirectory } from './webhook-directory';
import { webhookActor } from './webhook-rules';
import {
  CreatedWebhookView,
  PingView,
  RotatedSecretView,
  WebhookPage,
  WebhookView,
} from './webhook.view';

const NOT_YOURS = "No such webhook, or it is someone else's (problem+json)";

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly webhooks: WebhookDirectory,
  ) {}

  @Post()
  @Access('user')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Subscribe a webhook',
    description:
      'The response carries the signing secret (whsec_…); it is shown only here. A bad URL (not ' +
      'http/https, credentials, a private or reserved destination) or an unknown entity or ' +
      'operation is a 422 naming the field.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookView })
  @ApiUnprocessableEntityResponse({ description: 'URL refused or filter not in the catalog' })
  async create(
    @Body() body: CreateWebhookDto,
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<CreatedWebhookView> {
    const actor = webhookActor(principal);
    const { webhook, secret } = await this.commands.execute(
      new SubscribeWebhookCommand(
        actor,
        body.url,
        body.entity,
        body.operation,
        body.status,
        context,
      ),
    );
    return { ...webhook, secret };
  }

  @Get()
  @Access('user')
  @ApiOperation({ summary: 'Your webhooks, oldest first' })
  @ApiOkResponse({ type: WebhookPage })
  list(
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<WebhookView>> {
    return this.webhooks.listByOwner(principal.userId, query);
  }

  @Get(':id')
  @Access('user')
  @ApiOperation({ summary: 'One webhook (yours; admins may read any)' })
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  get(
    @Param('id', UuidParam) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<WebhookView> {
    return this.webhooks.getVisible(id, webhookActor(principal));
  }

  @Patch(':id')
  @Access('user')
  @ApiOperation({
    summary: 'Change the URL, filter or status of your webhook',
    description: "A status change here is recorded with reason 'owner'.",
  })
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  @ApiUnprocessableEntityResponse({ description: 'URL refused or filter not in the catalog' })
  async update(
    @Param('id', UuidParam) id: string,
    @Body() body: UpdateWebhookDto,
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<WebhookView> {
    const actor = webhookActor(principal);
    const { url, entity, operation, status } = body;
    await this.commands.execute(
      new UpdateWebhookCommand(id, actor, { url, entity, operation }, status, 'owner', context),
    );
    return this.webhooks.getVisible(id, actor);
  }

  @Delete(':id')
  @Access('user')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete your webhook; nothing more is sent to it' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: NOT_YOURS })
  async remove(
    @Param('id', UuidParam) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<void> {
    await this.commands.execute(new DeleteWebhookCommand(id, webhookActor(principal), context));
  }

  @Post(':id/secret/rotate')
  @Access('user')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "Rotate your webhook's signing secret",
    description:
      'The new secret is shown only here. Requests are signed with both secrets until ' +
      'previousValidUntil (HERALD_SECRET_ROTATION_OVERLAP_SECONDS, default 24 h).',
  })
  @ApiOkResponse({ type: RotatedSecretView })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  rotateSecret(
    @Param('id', UuidParam) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<RotatedSecretView> {
    return this.commands.execute(
      new RotateWebhookSecretCommand(id, webhookActor(principal), context),
    );
  }

  @Post(':id/ping')
  @Access('user')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a Webhook.Ping event to your webhook alone',
    description: 'Answers with the id of the ping event (its webhook-id) as an extension.',
  })
  @ApiAcceptedResponse({ type: PingView })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  ping(
    @Param('id', UuidParam) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
  ): Promise<PingView> {
    return this.commands.execute(new PingWebhookCommand(id, webhookActor(principal), context));
  }
}
