import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ROLES, Role } from '../domain/access';

export class LoginRequest {
  @ApiProperty({ example: 'zibo-agency' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 256)
  password!: string;
}

export class RefreshRequest {
  @ApiProperty({ description: 'The refresh token of the last login or refresh (each is good once)' })
  @IsString()
  @Length(1, 200)
  refreshToken!: string;
}

export class TokensResponse {
  @ApiProperty({ description: 'Send as `Authorization: Bearer …`' })
  accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Seconds until the access token expires', example: 900 })
  expiresIn!: number;
  @ApiProperty({ description: 'Trades for new tokens at POST /api/v1/auth/refresh, once' })
  refreshToken!: string;
}

export class CreateUserRequest {
  @ApiProperty({ example: 'h001-finance', description: '3–64 letters, digits, ".", "_" or "-"' })
  @IsString()
  username!: string;

  @ApiProperty({ description: '12–256 characters; stored as an argon2id hash only' })
  @IsString()
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ example: '370300', description: "An agency user's region (the asking user's own)" })
  @IsOptional()
  @Matches(/^\d{6}$/)
  region?: string;

  @ApiPropertyOptional({ example: 'H001', description: "A hospital user's hospital, an expert's affiliation" })
  @IsOptional()
  @IsString()
  hospital?: string;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  username!: string;
  @ApiProperty({ enum: ROLES })
  role!: Role;
  @ApiProperty({ example: '370300' })
  region!: string;
  @ApiProperty({ type: String, nullable: true, example: 'H001' })
  hospital!: string | null;
  @ApiProperty()
  active!: boolean;
  @ApiProperty()
  createdBy!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class PrincipalResponse {
  @ApiProperty({ format: 'uuid' })
  userId!: string;
  @ApiProperty()
  username!: string;
  @ApiProperty({ enum: ROLES })
  role!: Role;
  @ApiProperty({ example: '370300' })
  region!: string;
  @ApiProperty({ type: String, nullable: true })
  hospital!: string | null;
}
