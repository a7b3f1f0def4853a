import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { HeraldConfig } from '@herald/config';
import cookieParser from 'cookie-parser';
import { AppModule } from './app.module';
import { StrictValidationPipe } from './common/validation.pipe';

export interface CreateAppOptions {
  logger?: false | undefined;
}

/** The API exactly as it runs in production; main.ts and the tests both build it here. */
export async function createApp(
  config: HeraldConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger,
    bodyParser: false,
  });
  app.disable('x-powered-by');
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
