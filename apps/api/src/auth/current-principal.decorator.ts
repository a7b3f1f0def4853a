import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from './principal';

/** The authenticated caller, set by AuthGuard; only on routes whose access is not `public`. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (!request.principal)
      throw new Error('CurrentPrincipal used on a route without authentication');
    return request.principal;
  },
);
