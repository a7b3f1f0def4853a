import { Body, Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { normalizeEmail } from '@herald/domain';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { ProblemException } from '../common/problem.exception';
import { UserDirectory } from '../users/user-directory';
import { Access } from './access.decorator';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { clientAddress } from './auth.guard';
import { CurrentPrincipal } from './current-principal.decorator';
import { LoginDto, LoginResponse } from './login.dto';
import { PasswordHasher } from './password-hasher';
import type { Principal } from './principal';
import { SESSION_COOKIE, sessionCookieOptions } from './session-cookie';
import { SessionService } from './session.service';

@ApiTags('sessions')
@Controller('v1/auth')
export class LoginController {
  constructor(
    private readonly db: DataSource,
    private readonly users: UserDirectory,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  /**
   * Email + password → a session token (also set as an httpOnly cookie for the console). A wrong
   * password and an unknown email answer the same 401 after the same work; a client that keeps
   * failing is refused with 429 before its password is even checked.
   */
  @Post('login')
  @Access('public')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: LoginResponse })
  async login(
    @Body() body: LoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<LoginResponse> {
    const client = clientAddress(request);
    const wait = await this.limiter.retryAfter(client);
    if (wait > 0)
      throw ProblemException.tooManyRequests('Too many failed sign-ins; try again later', wait);

    const rows: { id: string; password_hash: string }[] = await this.db.query(
      `SELECT id, password_hash FROM users WHERE email = $1`,
      [normalizeEmail(body.email)],
    );
    const valid = await this.passwords.verify(body.password, rows[0]?.password_hash ?? null);
    const user = valid ? await this.users.findById(rows[0].id) : null;
    if (!user) {
      await this.limiter.recordFailure(client);
      throw ProblemException.unauthorized('Email or password is wrong');
    }
    const session = await this.sessions.issue(user.id);
    response.cookie(
      SESSION_COOKIE,
      session.token,
      sessionCookieOptions(request, session.expiresAt),
    );
    return { token: session.token, expiresAt: session.expiresAt.toISOString(), user };
  }

  @Post('logout')
  @Access('user')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the current console session' })
  @ApiNoContentResponse()
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    if (principal.sessionTokenHash) await this.sessions.revoke(principal.sessionTokenHash);
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(request));
  }
}
