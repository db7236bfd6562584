import { Global, Module } from '@nestjs/common';
import { LivenessService } from './liveness.service';
import { LivenessStore } from './liveness.store';

/** Which processes are alive (liveness.service.ts); global: every feature that runs work names its owner. */
@Global()
@Module({
  providers: [LivenessService, LivenessStore],
  exports: [LivenessService],
})
export class LivenessModule {}
