import { Module } from '@nestjs/common';
import { CodesModule } from '../codes/codes.module';
import { PoliciesModule } from '../policies/policies.module';
import { HospitalViewController } from './hospital-view.controller';
import { HospitalViewService } from './hospital-view.service';
import { HospitalViewStore } from './hospital-view.store';
import { HospitalsController } from './hospitals.controller';
import { HospitalsService } from './hospitals.service';
import { HospitalsStore } from './hospitals.store';

@Module({
  imports: [CodesModule, PoliciesModule],
  // The register, and a hospital's view of itself (summary, groups, departments of its settled months).
  controllers: [HospitalsController, HospitalViewController],
  providers: [HospitalsService, HospitalsStore, HospitalViewService, HospitalViewStore],
  exports: [HospitalsService],
})
export class HospitalsModule {}
