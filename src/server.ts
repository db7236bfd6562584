import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { HttpAppModule } from './app.module';
import { Environment } from './config/environment';
import { assertUtf8 } from './io/text-input';
import { HttpErrorFilter } from './http/error.filter';

/** The largest JSON body held in memory: 10,000 cases are about 10 MB. */
const JSON_BODY_LIMIT = 32 * 1024 * 1024;

/** The HTTP application, as main.ts serves it and the e2e tests drive it. */
export async function createHttpApp(opts: { logger?: boolean } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(HttpAppModule, {
    bufferLogs: true,
    bodyParser: false,
    logger: opts.logger === false ? false : undefined,
  });
  if (opts.logger !== false) app.useLogger(app.get(Logger));
  // JSON bodies (up to 10,000 cases) through the same gate as every upload: the size limit and
  // strict UTF-8; CSV, JSON-lines and text uploads are streamed to the services, never parsed here.
  const env = app.get(Environment);
  app.useBodyParser('json', {
    limit: Math.min(env.MAX_UPLOAD_BYTES, JSON_BODY_LIMIT),
    verify: (_req: unknown, _res: unknown, buf: Buffer) => assertUtf8(buf),
  });
  // Security headers (and no X-Powered-By). The API answers JSON and files to clients with a
  // bearer token; the OpenAPI page at /api/docs needs its inline script and styles.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.disable('x-powered-by');
  // The login routes' limit per address (auth.controller.ts reads it per request).
  app.setLocal('loginRateLimit', env.LOGIN_RATE_LIMIT_PER_MINUTE);
  app.useGlobalPipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true }));
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('DIP settlement service')
    .setDescription(
      'Grouping, scoring and settlement of inpatient cases under DIP (区域点数法总额预算和按病种分值付费). Decimals are strings.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc));
  return app;
}
