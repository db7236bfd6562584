import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CatalogueModule } from '../catalogue/catalogue.module';
import { GroupingModule } from '../grouping/grouping.module';
import { PoliciesModule } from '../policies/policies.module';
import { ExpertReviewsController } from './expert-reviews.controller';
import { SpecialCasesController } from './special-cases.controller';
import { SpecialCasesService } from './special-cases.service';
import { SpecialCasesStore } from './special-cases.store';

/** Special cases and expert adjudication (spec §9): applications, panels, votes; the annual settlement reads the approved ones. */
@Module({
  imports: [AuthModule, CatalogueModule, GroupingModule, PoliciesModule],
  controllers: [SpecialCasesController, ExpertReviewsController],
  providers: [SpecialCasesService, SpecialCasesStore],
  exports: [SpecialCasesService],
})
export class SpecialCasesModule {}
