import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';

/** Who asked for a change and which request it belongs to: becomes each event's metadata. */
export interface CommandContext {
  actorId: string | null;
  correlationId: string;
}

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The caller's id and the request's correlation id (taken from X-Correlation-Id when well-formed). */
export const RequestContext = createParamDecorator(
  (_: unknown, context: ExecutionContext): CommandContext => {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = request.headers[CORRELATION_HEADER];
    const correlationId =
      typeof header === 'string' && SAFE_CORRELATION_ID.test(header) ? header : randomUUID();
    return { actorId: request.principal?.userId ?? null, correlationId };
  },
);

export function eventMetadata(context: CommandContext): {
  correlationId: string;
  actorId: string | null;
} {
  return { correlationId: context.correlationId, actorId: context.actorId };
}
