import { Global, Module } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { AuthGuard } from './auth.guard';
import { PasswordHasher } from './password-hasher';
import { SessionService } from './session.service';

/** Credentials: API keys, console sessions, password hashing and the failure limiter behind the AuthGuard. */
@Global()
@Module({
  providers: [ApiKeyAuthenticator, AuthFailureLimiter, AuthGuard, PasswordHasher, SessionService],
  exports: [ApiKeyAuthenticator, AuthFailureLimiter, AuthGuard, PasswordHasher, SessionService],
})
export class AuthModule {}
