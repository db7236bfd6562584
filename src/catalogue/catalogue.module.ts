import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { CodesModule } from '../codes/codes.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { JobsModule } from '../jobs/jobs.module';
import { CatalogsController } from './catalogs.controller';
import { CatalogueService } from './catalogue.service';
import { CatalogueStore } from './catalogue.store';
import { PoliciesService } from './policies.service';

@Module({
  imports: [CasesModule, CodesModule, HospitalsModule, JobsModule],
  controllers: [CatalogsController],
  providers: [CatalogueService, CatalogueStore, PoliciesService],
  exports: [CatalogueService, CatalogueStore, PoliciesService],
})
export class CatalogModule {}
