import { Module } from '@nestjs/common';
import { GroupingModule } from '../grouping/grouping.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { JobsModule } from '../jobs/jobs.module';
import { PoliciesModule } from '../policies/policies.module';
import { RecordsController } from './records.controller';
import { RecordsService } from './records.service';
import { RecordsStore } from './records.store';
import { SettlementService } from './settlement.service';
import { SettlementStore } from './settlement.store';
import { SettlementsController } from './settlements.controller';

@Module({
  imports: [GroupingModule, HospitalsModule, JobsModule, PoliciesModule],
  controllers: [SettlementsController, RecordsController],
  providers: [SettlementService, SettlementStore, RecordsService, RecordsStore],
  exports: [SettlementService, RecordsService],
})
export class SettlementModule {}
