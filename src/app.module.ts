import { Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { CatalogueModule } from './catalogue/catalogue.module';
import { CodesModule } from './codes/codes.module';
import { ConfigModule } from './config/config.module';
import { Environment } from './config/environment';
import { httpLogSerializers } from './config/log-serializers';
import { GroupingModule } from './grouping/grouping.module';
import { SettlementModule } from './settlement/settlement.module';
import { HealthController } from './health/health.controller';
import { HospitalsModule } from './hospitals/hospitals.module';
import { JobsModule } from './jobs/jobs.module';
import { LivenessModule } from './liveness/liveness.module';
import { PersistenceModule } from './persistence/persistence.module';
import { PoliciesModule } from './policies/policies.module';
import { ProjectionsModule } from './projections/projections.module';
import { SchemesModule } from './schemes/schemes.module';
import { SpecialCasesModule } from './special-cases/special-cases.module';

/** Everything but HTTP-only concerns: the CLI boots the same module without listening. */
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      inject: [Environment],
      useFactory: (env: Environment) => ({
        pinoHttp: {
          level: env.LOG_LEVEL,
          // A line per request only where info lines are written at all (its cost is paid per request even when discarded).
          autoLogging: ['info', 'debug', 'trace'].includes(env.LOG_LEVEL),
          // Requests without headers or bodies, errors without their statements and parameters (config/log-serializers.ts).
          ...httpLogSerializers,
          transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
        },
      }),
    }),
    PersistenceModule,
    LivenessModule,
    AuthModule,
    HospitalsModule,
    CodesModule,
    CasesModule,
    JobsModule,
    PoliciesModule,
    CatalogueModule,
    GroupingModule,
    SettlementModule,
    ProjectionsModule,
    SpecialCasesModule,
    SchemesModule,
  ],
  controllers: [HealthController],
})
export class AppModule {}

/** Where `npm run build` puts the web dashboard (web/, Vue and Vite). */
export const WEB_DIST = join(__dirname, '..', 'web', 'dist');

/**
 * The HTTP application: everything, and the web dashboard at `/` when it is built (every path
 * that is not the API's nor /health answers its index.html, so that the dashboard's own routes
 * load). The files are public: they hold no data; the API they call checks every request.
 */
@Module({
  imports: [
    AppModule,
    ...(existsSync(join(WEB_DIST, 'index.html'))
      ? [
          ServeStaticModule.forRoot({
            rootPath: WEB_DIST,
            // The dashboard's own routes answer its index.html; the API's and /health are not
            // matched at all. (The module's `exclude` option is not used: its error handler turns
            // every error of an excluded route, a malformed JSON body's 400 too, into a 404.)
            renderPath: /^(?!\/api(\/|$)|\/health$)/,
          }),
        ]
      : []),
  ],
})
export class HttpAppModule {}
