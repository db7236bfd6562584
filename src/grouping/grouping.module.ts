import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { CodesModule } from '../codes/codes.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { JobsModule } from '../jobs/jobs.module';
import { PoliciesModule } from '../policies/policies.module';
import { GroupingService } from './grouping.service';
import { GroupingStore } from './grouping.store';
import { GroupingsController } from './groupings.controller';

@Module({
  imports: [CasesModule, CatalogueModule, CodesModule, HospitalsModule, JobsModule, PoliciesModule],
  controllers: [GroupingsController],
  providers: [GroupingService, GroupingStore],
  exports: [GroupingService],
})
export class GroupingModule {}
