import { ConfigError } from './config-error';
import type { HeraldConfig } from './herald-config';
import { loadConfig } from './load-config';

/** For main.ts: a bad environment stops the process with a message naming each variable. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
