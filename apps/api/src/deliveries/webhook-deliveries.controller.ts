import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { Page } from '../common/pagination';
import { UuidParam } from '../common/uuid-param.pipe';
import { WebhookDirectory } from '../webhooks/webhook-directory';
import { webhookActor } from '../webhooks/webhook-rules';
import { DeliveryDirectory } from './delivery-directory';
import { DeliveryDetailView, DeliveryPage, ReplayView, type DeliveryView } from './delivery.view';
import { ListDeliveriesQuery } from './list-deliveries.query';
import { RedeliverCommand } from './redeliver.command';
import { MAX_REPLAY_EVENTS } from './replay-webhook.handler';
import { ReplayWebhookCommand } from './replay-webhook.command';
import { ReplayDto } from './replay.dto';

const NOT_YOURS = "No such webhook or delivery, or it is someone else's (problem+json)";

/**
 * Deliveries of one webhook: its owner's, and any admin's (operators redeliver and replay for
 * receivers that were down). Everyone else gets 404, as for the webhook itself.
 */
@ApiTags('deliveries')
@Controller('v1/webhooks/:id')
export class WebhookDeliveriesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly webhooks: WebhookDirectory,
    private readonly deliveries: DeliveryDirectory,
  ) {}

  @Get('deliveries')
  @Access('user')
  @ApiOperation({ summary: "The webhook's deliveries, newest first (?status= to filter)" })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  async list(
    @Param('id', UuidParam) id: string,
    @Query() query: ListDeliveriesQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<DeliveryView>> {
    await this.webhooks.getVisible(id, webhookActor(principal));
    return this.deliveries.list(id, query);
  }

  @Get('deliveries/:deliveryId')
  @Access('user')
  @ApiOperation({ summary: 'One delivery with every attempt' })
  @ApiOkResponse({ type: DeliveryDetailView })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  async get(
    @Param('id', UuidParam) id: string,
    @Param('deliveryId', UuidParam) deliveryId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeliveryDetailView> {
    await this.webhooks.getVisible(id, webhookActor(principal));
    return this.deliveries.get(id, deliveryId);
  }

  @Post('deliveries/:deliveryId/redeliver')
  @Access('user')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send one delivery again',
    description:
      'Same webhook-id and body as before. Answers with the delivery, pending again (an extension).',
  })
  @ApiAcceptedResponse({ type: DeliveryDetailView })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  async redeliver(
    @Param('id', UuidParam) id: string,
    @Param('deliveryId', UuidParam) deliveryId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeliveryDetailView> {
    await this.webhooks.getVisible(id, webhookActor(principal));
    await this.commands.execute(new RedeliverCommand(id, deliveryId));
    return this.deliveries.get(id, deliveryId);
  }

  @Post('replay')
  @Access('user')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay past events of a time range to this webhook',
    description:
      `Events recorded in [from, to) (to defaults to now) that match the webhook's current ` +
      `filter are delivered again with their original webhook-id. At most ${MAX_REPLAY_EVENTS} ` +
      'events per request (422 replay-range-too-large beyond: split the range). Pings are not ' +
      'replayed. A webhook that is off answers 409.',
  })
  @ApiAcceptedResponse({ type: ReplayView })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  @ApiConflictResponse({ description: 'The webhook is off (problem type webhook-off)' })
  @ApiUnprocessableEntityResponse({
    description: 'Bad range, or more events than one replay takes',
  })
  async replay(
    @Param('id', UuidParam) id: string,
    @Body() body: ReplayDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ReplayView> {
    await this.webhooks.getVisible(id, webhookActor(principal));
    return this.commands.execute(new ReplayWebhookCommand(id, body.from, body.to));
  }
}
