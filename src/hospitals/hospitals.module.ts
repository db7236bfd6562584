import { Module } from '@nestjs/common';
import { CodesModule } from '../codes/codes.module';
import { HospitalViewModule } from './hospital-view.module';
import { HospitalsController } from './hospitals.controller';
import { HospitalsService } from './hospitals.service';
import { HospitalsStore } from './hospitals.store';

@Module({
  imports: [CodesModule, HospitalViewModule],
  controllers: [HospitalsController],
  providers: [HospitalsService, HospitalsStore],
  exports: [HospitalsService],
})
export class HospitalsModule {}
