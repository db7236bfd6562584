import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Environment } from '../config/environment';
import { dataSourceOptions } from './data-source-options';
import { DatabaseService } from './database.service';

/**
 * The database: MySQL or embedded SQLite, migrated on start unless MIGRATE_ON_START=false.
 * The schema lives in the migrations; data is read and written with plain SQL through
 * DatabaseService units of work, not through entity classes.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [Environment],
      useFactory: (env: Environment) => ({
        ...dataSourceOptions(env),
        migrationsRun: env.MIGRATE_ON_START === 'true',
        retryAttempts: 2,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [DatabaseService],
  exports: [DatabaseService],
})
export class PersistenceModule {}
