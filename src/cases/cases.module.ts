import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { CodesModule } from '../codes/codes.module';
import { CaseImportService } from './case-import.service';
import { CaseReader } from './case-reader';
import { CasesController } from './cases.controller';
import { ImportsController } from './imports.controller';

@Module({
  imports: [CodesModule],
  controllers: [CasesController, ImportsController],
  providers: [CaseImportService, CaseReader],
  exports: [CaseImportService, CaseReader],
})
export class CasesModule implements OnApplicationBootstrap {
  constructor(private readonly imports: CaseImportService) {}

  /** Imports cut off by a crash are marked failed (their staged rows were never visible). */
  async onApplicationBootstrap(): Promise<void> {
    await this.imports.failInterrupted();
  }
}
