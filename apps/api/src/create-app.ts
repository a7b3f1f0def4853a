import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { HeraldConfig } from '@herald/config';
import { assignCorrelationId, createRequestLogger, startupLogger } from '@herald/observability';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { answerClientErrorsWithProblems } from './common/client-error-problems';
import { StrictValidationPipe } from './common/validation.pipe';
import { ApiMetrics } from './metrics/api-metrics';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';

export interface CreateAppOptions {
  /** false: log nothing at all (tests). Otherwise JSON lines on stdout (nestjs-pino). */
  logger?: false | undefined;
}

/** The API exactly as it runs in production; main.ts and the tests both build it here. */
export async function createApp(
  config: HeraldConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const logging = options.logger !== false;
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, { logging }),
    logging
      ? { logger: startupLogger(config), bufferLogs: true, bodyParser: false }
      : { logger: false, bodyParser: false },
  );
  if (logging) app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  answerClientErrorsWithProblems(app.getHttpServer());
  // First of all, so that every request (one whose body fails to parse too) is timed, has its
  // correlation id and, when logging, gets its request line.
  app.use(httpMetricsMiddleware(app.get(ApiMetrics).httpRequestDuration));
  if (logging) app.use(createRequestLogger(config));
  app.use((request: Request, response: Response, next: NextFunction) => {
    assignCorrelationId(request, response);
    next();
  });
  // Client addresses (for the authentication limiter) and https (for Secure cookies) behind a proxy.
  app.set('trust proxy', config.trustProxy);
  app.useBodyParser('json', { limit: '1mb', strict: false });
  app.use(cookieParser());
  app.useGlobalPipes(new StrictValidationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Herald')
      .setDescription(
        'Event-sourced webhook dispatch: API keys, webhooks, deliveries. Errors are RFC 9457 problem details.',
      )
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: 'An API key (hrld_…) or a console session token (hrs_…)',
      })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
