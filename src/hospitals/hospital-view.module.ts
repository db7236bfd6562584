import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module';
import { HospitalViewController } from './hospital-view.controller';
import { HospitalViewService } from './hospital-view.service';
import { HospitalViewStore } from './hospital-view.store';

/** A hospital's view of itself (issue 12): summary, groups and departments of its settled months. */
@Module({
  imports: [PoliciesModule],
  controllers: [HospitalViewController],
  providers: [HospitalViewService, HospitalViewStore],
})
export class HospitalViewModule {}
