import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { problem } from '../common/problem';
import { ProblemException } from '../common/problem.exception';

/**
 * For routes reserved to users whose API access is on. An API key only authenticates while access
 * is on; a console session does regardless, so for sessions the key state is read (it is written
 * in the same transaction as every regeneration or clear, so never stale). Runs after AuthGuard.
 */
@Injectable()
export class ApiAccessGuard implements CanActivate {
  constructor(private readonly db: DataSource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { principal } = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (!principal) throw new Error('ApiAccessGuard needs an authenticated route');
    if (principal.via === 'api_key') return true;
    const rows: { enabled: boolean }[] = await this.db.query(
      'SELECT enabled FROM api_key_states WHERE user_id = $1',
      [principal.userId],
    );
    if (rows[0]?.enabled) return true;
    throw new ProblemException(
      problem(
        403,
        'api-access-off',
        'Your API access is off; enable it (POST /v1/me/api-key, or "API Access" in the console) to report entity changes',
      ),
    );
  }
}
