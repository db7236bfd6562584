import { Module, OnApplicationBootstrap } from '@nestjs/common';
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
export class CasesModule implements OnApplicationBootstrap {
  constructor(private readonly imports: CaseImportService) {}

  /** Imports cut off by a crash are marked failed (their staged rows were never visible). */
  async onApplicationBootstrap(): Promise<void> {
    await this.imports.failInterrupted();
  }
}
