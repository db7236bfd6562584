import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { Environment } from '../config/environment';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { AccessGuard } from './access.guard';
import { AuthController, UsersController } from './auth.controller';
import { AuthService } from './auth.service';
import { RateLimitStorage } from './rate-limit.storage';
import { SessionCache } from './session-cache';
import { UserThrottlerGuard } from './user-throttler.guard';
import { UsersService } from './users.service';
import { UsersStore } from './users.store';

/**
 * Identity: users, sessions, tokens, and the two guards every route passes, in this order: the
 * access guard (who, and may they), then the rate limit per user (RATE_LIMIT_PER_MINUTE).
 */
@Module({
  imports: [
    JwtModule.register({}),
    ThrottlerModule.forRootAsync({
      inject: [Environment],
      useFactory: (env: Environment) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: env.RATE_LIMIT_PER_MINUTE }],
        storage: new RateLimitStorage(),
      }),
    }),
    HospitalsModule,
  ],
  controllers: [AuthController, UsersController],
  providers: [
    AuthService,
    UsersService,
    UsersStore,
    // One per process: the access guard's checked tokens, emptied by the store's revocations.
    { provide: SessionCache, useFactory: () => new SessionCache() },
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: UserThrottlerGuard },
  ],
  exports: [UsersService],
})
export class AuthModule {}
