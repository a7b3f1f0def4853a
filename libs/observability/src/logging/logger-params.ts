import type { HeraldConfig } from '@herald/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions, type DestinationStream, type LevelWithSilent } from 'pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { assignCorrelationId } from './correlation-id';

/**
 * Fields no log line may show: credentials in request and response headers, and any field named
 * like a secret at the top level or one or two levels down (a logged object, an error's details).
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...['password', 'secret', 'token', 'apiKey', 'secretKey'].flatMap((field) => [
    field,
    `*.${field}`,
    `*.*.${field}`,
  ]),
];

/** Requests that orchestrators and Prometheus repeat every few seconds: logged at debug when they succeed. */
const ROUTINE_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

function requestLevel(
  request: IncomingMessage,
  response: ServerResponse,
  error?: Error,
): LevelWithSilent {
  if (error || response.statusCode >= 500) return 'error';
  if (response.statusCode < 400 && ROUTINE_PATHS.test(request.url ?? '')) return 'debug';
  return 'info';
}

/**
 * The request as its completion line shows it: no body, no route params of the logging middleware
 * (`url` has the query); the client address as Express sees it behind a trusted proxy (`req.ip`).
 */
function serializeRequest(request: {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: unknown;
  remoteAddress?: string;
  raw?: IncomingMessage & { ip?: unknown };
}): Record<string, unknown> {
  const ip = request.raw?.ip;
  return {
    id: request.id,
    method: request.method,
    url: request.url === undefined ? undefined : maskQuery(request.url),
    headers: request.headers,
    remoteAddress: typeof ip === 'string' ? ip : request.remoteAddress,
  };
}

/**
 * pino-http's settings, the same for the API and the worker: JSON lines at `config.logLevel`, ISO
 * times, level names, secrets redacted, no bodies. In the API every request gets one line when it
 * completes (`req` without its body, `res`, `responseTime`), and every line logged while serving
 * it carries its `correlationId` (`assignCorrelationId`).
 */
export function heraldPinoHttpOptions(config: Pick<HeraldConfig, 'logLevel'>): Options {
  return {
    level: config.logLevel,
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    genReqId: assignCorrelationId,
    // Lines logged while serving a request carry only its id, under this name…
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlationId' },
    // …and the completion line has the request (method, url, headers — never the body).
    serializers: { req: serializeRequest },
    customLogLevel: requestLevel,
  };
}

/**
 * Lines go through `process.stdout` rather than straight to file descriptor 1, so that whatever
 * watches the process's output (a test's log capture) sees them; on Linux, writes to a pipe or a
 * file through it are synchronous, so nothing is lost at exit.
 */
const destination = (): DestinationStream => process.stdout;

/**
 * The API's request logger, for `app.use` before anything else (the body parser included), so a
 * request that fails there is logged too. The API then gives nestjs-pino
 * `heraldLoggerParams(config, { requestLoggerMounted: true })`.
 */
export function createRequestLogger(config: Pick<HeraldConfig, 'logLevel'>): HttpLogger {
  return pinoHttp(heraldPinoHttpOptions(config), destination());
}

/**
 * nestjs-pino's settings for both apps. nestjs-pino builds one root logger per process, from the
 * first settings it is given; both apps pass these, so an API and a worker in one process (tests)
 * log alike. `requestLoggerMounted`: the app mounted createRequestLogger itself, and nestjs-pino
 * only binds each request's logger for the lines logged while serving it.
 */
export function heraldLoggerParams(
  config: Pick<HeraldConfig, 'logLevel'>,
  options: { requestLoggerMounted?: boolean } = {},
): Params {
  return {
    pinoHttp: [heraldPinoHttpOptions(config), destination()],
    ...(options.requestLoggerMounted ? { useExisting: true as const } : {}),
  };
}

/**
 * Credentials belong in headers, but a client may put one in the URL; the log keeps the path and
 * parameter names only, never query values.
 */
export function maskQuery(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const names = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => pair.split('=')[0])
    .filter(Boolean);
  return `${url.slice(0, queryStart)}?${names.map((name) => `${name}=…`).join('&')}`;
}
