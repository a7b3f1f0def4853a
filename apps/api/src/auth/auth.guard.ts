import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException } from '../common/problem.exception';
import { ACCESS_METADATA, type AccessLevel } from './access.decorator';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { AuthFailureLimiter } from './auth-failure-limiter';
import type { Principal } from './principal';
import { SESSION_COOKIE } from './session-cookie';
import { SessionService } from './session.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Header the console sends on state-changing requests; other sites cannot set it cross-origin. */
export const CSRF_HEADER = 'x-herald-csrf';

type AuthenticatedRequest = Request & { principal?: Principal };

const NO_CREDENTIALS = Symbol('no credentials');

/**
 * The one gate every route passes. Routes declare their access level with @Access; a route without
 * a declaration is refused (fail closed), and a test walks all routes to keep it that way.
 * Unknown and wrong credentials answer the same 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly sessions: SessionService,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!level)
      throw new Error(
        `Route ${context.getClass().name}.${context.getHandler().name} declares no @Access`,
      );
    if (level === 'public') return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    if (principal === NO_CREDENTIALS) throw ProblemException.unauthorized();
    if (!principal) {
      // Only credentials that were presented and rejected count: a caller who sent none is not guessing.
      const wait = await this.limiter.recordFailure(clientAddress(request));
      if (wait > 0)
        throw ProblemException.tooManyRequests(
          'Too many failed authentications; try again later',
          wait,
        );
      throw ProblemException.unauthorized();
    }
    if (level === 'admin' && principal.role !== 'admin')
      throw ProblemException.forbidden('This route is for admins');
    request.principal = principal;
    return true;
  }

  private async authenticate(
    request: AuthenticatedRequest,
  ): Promise<Principal | null | typeof NO_CREDENTIALS> {
    const header = request.headers.authorization;
    const bearer =
      typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const apiKeyHeader = request.headers['x-api-key'];
    const token = bearer ?? (typeof apiKeyHeader === 'string' ? apiKeyHeader.trim() : undefined);
    if (token) return this.fromToken(token);

    const cookie = (request.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!cookie) return NO_CREDENTIALS;
    // A cookie is sent by the browser on its own; state changes must also prove they come from the console.
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] === undefined) {
      throw ProblemException.forbidden(
        `State-changing requests with the session cookie need the ${CSRF_HEADER} header`,
      );
    }
    return this.fromSession(cookie);
  }

  private async fromToken(token: string): Promise<Principal | null> {
    return (await this.apiKeys.authenticate(token)) ?? (await this.fromSession(token));
  }

  private async fromSession(token: string): Promise<Principal | null> {
    const owner = await this.sessions.resolve(token);
    return (
      owner && {
        userId: owner.userId,
        email: owner.email,
        role: owner.role,
        via: 'session',
        sessionTokenHash: owner.tokenHash,
      }
    );
  }
}

export function clientAddress(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}
