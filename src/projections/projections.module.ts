import { Module } from '@nestjs/common';
import { CodesModule } from '../codes/codes.module';
import { GroupingModule } from '../grouping/grouping.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { ProjectionStore } from './projection.store';
import { ProjectionsController } from './projections.controller';
import { ProjectionsService } from './projections.service';

/** Projections (issue 12): what a case will be worth before settlement; nothing stored. */
@Module({
  imports: [CodesModule, GroupingModule, HospitalsModule],
  controllers: [ProjectionsController],
  providers: [ProjectionsService, ProjectionStore],
})
export class ProjectionsModule {}
