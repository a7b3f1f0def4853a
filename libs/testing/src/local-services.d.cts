export interface LocalServer {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  stop(options?: { mode?: 'smart' | 'fast' | 'immediate' }): Promise<void>;
  kill(): Promise<void>;
}
export function startPostgres(options: {
  dataDir: string;
  port?: number;
  quiet?: boolean;
  durable?: boolean;
}): Promise<LocalServer>;
export function startRedis(options: {
  dataDir: string;
  port?: number;
  quiet?: boolean;
  install?: boolean;
}): Promise<LocalServer>;
export function ensureRedisInstalled(options?: { quiet?: boolean }): string;
export function freePort(): Promise<number>;
export function makeTempDir(prefix?: string): string;
