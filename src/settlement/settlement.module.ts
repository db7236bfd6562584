import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { GroupingModule } from '../grouping/grouping.module';
import { JobsModule } from '../jobs/jobs.module';
import { RecordsController } from './records.controller';
import { RecordsService } from './records.service';
import { SettlementService } from './settlement.service';
import { SettlementsController } from './settlements.controller';

@Module({
  imports: [CatalogModule, GroupingModule, JobsModule],
  controllers: [SettlementsController, RecordsController],
  providers: [SettlementService, RecordsService],
  exports: [SettlementService, RecordsService],
})
export class SettlementModule {}
