import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { GroupingModule } from '../grouping/grouping.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { JobsModule } from '../jobs/jobs.module';
import { LivenessService } from '../liveness/liveness.service';
import { PoliciesModule } from '../policies/policies.module';
import { RecordsController } from './records.controller';
import { RecordsService } from './records.service';
import { RecordsStore } from './records.store';
import { SettlementLocksController } from './settlement-locks.controller';
import { SettlementService } from './settlement.service';
import { SettlementStore } from './settlement.store';
import { SettlementsController } from './settlements.controller';
import { SpecialCasesModule } from '../special-cases/special-cases.module';
import { SchemesModule } from '../schemes/schemes.module';

@Module({
  imports: [GroupingModule, HospitalsModule, JobsModule, PoliciesModule, SchemesModule, SpecialCasesModule],
  controllers: [SettlementsController, SettlementLocksController, RecordsController],
  providers: [SettlementService, SettlementStore, RecordsService, RecordsStore],
  exports: [SettlementService, RecordsService],
})
export class SettlementModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly liveness: LivenessService,
    private readonly store: SettlementStore,
    private readonly settlements: SettlementService,
  ) {}

  /** The lock of a run whose process died is free on the next sweep. */
  onModuleInit(): void {
    this.liveness.addReaper(() => this.store.dropOrphanedLocks());
  }

  /** Replaced drafts whose pruning a killed process did not finish. */
  async onApplicationBootstrap(): Promise<void> {
    await this.settlements.prune();
  }
}
