import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { CodesModule } from '../codes/codes.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { JobsModule } from '../jobs/jobs.module';
import { PoliciesModule } from '../policies/policies.module';
import { CataloguesController } from './catalogues.controller';
import { CatalogueService } from './catalogue.service';
import { CatalogueStore } from './catalogue.store';

@Module({
  imports: [CasesModule, CodesModule, HospitalsModule, JobsModule, PoliciesModule],
  controllers: [CataloguesController],
  providers: [CatalogueService, CatalogueStore],
  exports: [CatalogueService, CatalogueStore],
})
export class CatalogueModule {}
