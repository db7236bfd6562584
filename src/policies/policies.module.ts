import { Module } from '@nestjs/common';
import { PoliciesService } from './policies.service';
import { PoliciesStore } from './policies.store';

@Module({ providers: [PoliciesService, PoliciesStore], exports: [PoliciesService] })
export class PoliciesModule {}
