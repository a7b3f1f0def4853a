import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { HeraldConfig } from '@herald/config';

const NEST_LEVELS: Record<HeraldConfig['logLevel'], LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/**
 * The logger an app is created with (`bufferLogs: true`) until nestjs-pino's takes over: it only
 * ever prints when the start fails before that (the buffered lines and the error), and then
 * prints them as JSON lines too (Nest's format: `message` rather than pino's `msg`).
 */
export function startupLogger(config: Pick<HeraldConfig, 'logLevel'>): ConsoleLogger {
  return new ConsoleLogger({ json: true, colors: false, logLevels: NEST_LEVELS[config.logLevel] });
}
