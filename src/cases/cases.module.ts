import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { LivenessService } from '../liveness/liveness.service';
import { CodesModule } from '../codes/codes.module';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { CaseImportService } from './case-import.service';
import { CaseStore } from './case.store';
import { CasesController } from './cases.controller';
import { ImportBatchStore } from './import-batch.store';
import { ImportsController } from './imports.controller';

@Module({
  imports: [CodesModule, HospitalsModule],
  controllers: [CasesController, ImportsController],
  providers: [CaseImportService, CaseStore, ImportBatchStore],
  exports: [CaseImportService, CaseStore],
})
export class CasesModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly imports: CaseImportService,
    private readonly liveness: LivenessService,
  ) {}

  /** Imports whose process died are marked failed (their staged rows were never visible) on every sweep. */
  onModuleInit(): void {
    this.liveness.addReaper(async () => void (await this.imports.failInterrupted()));
  }

  /** At start-up: the sweep, and the spool files that killed uploads left. */
  async onApplicationBootstrap(): Promise<void> {
    await this.liveness.sweep();
    await this.imports.sweepSpools();
  }
}
