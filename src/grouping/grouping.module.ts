import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { CatalogModule } from '../catalog/catalog.module';
import { CodesModule } from '../codes/codes.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { JobsModule } from '../jobs/jobs.module';
import { GroupingService } from './grouping.service';
import { GroupingsController } from './groupings.controller';

@Module({
  imports: [CasesModule, CatalogModule, CodesModule, HospitalsModule, JobsModule],
  controllers: [GroupingsController],
  providers: [GroupingService],
  exports: [GroupingService],
})
export class GroupingModule {}
