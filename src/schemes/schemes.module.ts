import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { SchemesController } from './schemes.controller';
import { SchemesService } from './schemes.service';
import { SchemesStore } from './schemes.store';

/** The payment schemes besides DIP (issue 15): inputs, policies, runs, reports. */
@Module({
  imports: [JobsModule],
  controllers: [SchemesController],
  providers: [SchemesService, SchemesStore],
  exports: [SchemesService],
})
export class SchemesModule {}
