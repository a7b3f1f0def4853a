import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Access } from '../auth/access.decorator';
import { REDIS_CLIENT } from '../redis/redis.tokens';

type CheckResult = { status: 'up' } | { status: 'down'; error: string };

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function check(run: () => Promise<unknown>, what: string): Promise<CheckResult> {
  try {
    await withTimeout(run(), what);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  @Get('live')
  @Access('public')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 only when PostgreSQL and Redis answer and no migration is pending; 503 with the reasons otherwise. */
  @Get('ready')
  @Access('public')
  @HttpCode(200)
  @ApiOperation({ summary: 'Readiness: PostgreSQL, Redis and migrations' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<Record<string, unknown>> {
    const [postgres, redis, migrations] = await Promise.all([
      check(() => this.db.query('SELECT 1'), 'PostgreSQL'),
      check(() => this.redis.ping(), 'Redis'),
      check(async () => {
        if (await this.db.showMigrations()) throw new Error('migrations are pending');
      }, 'migrations'),
    ]);
    const checks = { postgres, redis, migrations };
    const ready = Object.values(checks).every((result) => result.status === 'up');
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'unavailable', checks };
  }
}
