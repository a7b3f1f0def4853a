import { rmSync } from 'node:fs';
import type { LocalServer } from '../local-services.cjs';

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>).__heraldServices as
    { postgres: LocalServer; redis: LocalServer; dir: string } | undefined;
  if (!services) return;
  await Promise.all([services.postgres.stop(), services.redis.stop()]);
  rmSync(services.dir, { recursive: true, force: true });
}
