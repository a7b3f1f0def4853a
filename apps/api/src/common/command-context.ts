import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { assignCorrelationId } from '@herald/observability';
import type { Request, Response } from 'express';
import type { Principal } from '../auth/principal';

/** Who asked for a change and which request it belongs to: becomes each event's metadata. */
export interface CommandContext {
  actorId: string | null;
  correlationId: string;
}

/**
 * The caller's id and the request's correlation id: the very id the request is logged with and
 * answered in `x-correlation-id` (`request.id`, from X-Correlation-Id when well-formed, see
 * assignCorrelationId), so the events it appends can be traced back to its log lines.
 */
export const RequestContext = createParamDecorator(
  (_: unknown, context: ExecutionContext): CommandContext => {
    const http = context.switchToHttp();
    const request = http.getRequest<Request & { principal?: Principal }>();
    const correlationId = assignCorrelationId(request, http.getResponse<Response>());
    return { actorId: request.principal?.userId ?? null, correlationId };
  },
);

export function eventMetadata(context: CommandContext): {
  correlationId: string;
  actorId: string | null;
} {
  return { correlationId: context.correlationId, actorId: context.actorId };
}
