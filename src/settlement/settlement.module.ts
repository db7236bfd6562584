import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { GroupingModule } from '../grouping/grouping.module';
import { JobsModule } from '../jobs/jobs.module';
import { SettlementService } from './settlement.service';
import { SettlementsController } from './settlements.controller';

@Module({
  imports: [CatalogModule, GroupingModule, JobsModule],
  controllers: [SettlementsController],
  providers: [SettlementService],
  exports: [SettlementService],
})
export class SettlementModule {}
