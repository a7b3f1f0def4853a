import { Body, Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Access } from '../auth/access.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { RequestContext, type CommandContext } from '../common/command-context';
import { ApiAccessGuard } from './api-access.guard';
import { EntityChangeDto } from './entity-change.dto';
import {
  EntityChangesBodyPipe,
  MAX_ENTITY_CHANGES_PER_REQUEST,
  type EntityChangeBatch,
} from './entity-changes-body.pipe';
import { RecordedEntityChangesView } from './entity-changes.view';
import { IdempotencyKey } from './idempotency-key.decorator';
import { RecordEntityChangesCommand } from './record-entity-changes.command';

/** Set on an answer that an earlier request with the same Idempotency-Key produced. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

@ApiTags('entity changes')
@Controller('v1/entity-changes')
export class EntityChangesController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Access('user')
  @UseGuards(ApiAccessGuard)
  @HttpCode(202)
  @ApiOperation({
    summary: 'Report entity changes',
    description:
      `One change, or an array of 1 to ${MAX_ENTITY_CHANGES_PER_REQUEST}, recorded together (all ` +
      'or none) as EntityChanged events and delivered to matching webhooks. For users whose API ' +
      'access is on (403 api-access-off otherwise). Shape errors are 400, catalog and content ' +
      'errors 422; for arrays, fields are named [index].field. `events` answers each change in ' +
      'request order; positions keep the request order among changes to the same entity (all ' +
      'commit together).',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Up to 200 printable ASCII characters. A repeat of the same request with the same key ' +
      `answers the first answer (with ${IDEMPOTENT_REPLAYED_HEADER}: true) and records nothing; ` +
      'the same key with a different body is a 422 (idempotency-key-reused).',
  })
  @ApiExtraModels(EntityChangeDto)
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(EntityChangeDto) },
        {
          type: 'array',
          items: { $ref: getSchemaPath(EntityChangeDto) },
          minItems: 1,
          maxItems: MAX_ENTITY_CHANGES_PER_REQUEST,
        },
      ],
    },
  })
  @ApiAcceptedResponse({ type: RecordedEntityChangesView })
  @ApiForbiddenResponse({ description: 'Your API access is off (problem type api-access-off)' })
  @ApiUnprocessableEntityResponse({
    description: 'Not in the catalog, bad data or occurredAt, or a reused Idempotency-Key',
  })
  async record(
    @Body(EntityChangesBodyPipe) batch: EntityChangeBatch,
    @IdempotencyKey() idempotencyKey: string | null,
    @CurrentPrincipal() principal: Principal,
    @RequestContext() context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RecordedEntityChangesView> {
    const recorded = await this.commands.execute(
      new RecordEntityChangesCommand(principal.userId, batch, idempotencyKey, context),
    );
    if (recorded.replayed) response.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return recorded.response;
  }
}
