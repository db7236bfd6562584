import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { createHash, createSecretKey, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { Principal, Role } from '../domain/access';
import { DipError } from '../domain/errors';
import { SessionCache, SessionPrincipal } from './session-cache';
import { UsersStore } from './users.store';

/** An access token lives 15 minutes; a session (its refresh token) 7 days from its last refresh. */
export const ACCESS_TTL_SECONDS = 15 * 60;
const SESSION_TTL_MS = 7 * 24 * 3_600_000;

export interface Tokens {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
}

interface AccessClaims {
  /** Seconds since the epoch (set by signAsync's expiresIn; jsonwebtoken checks it). */
  exp: number;
  sub: string;
  sid: string;
  usr: string;
  role: Role;
  region: string;
  hospital: string | null;
}

export const unauthenticated = (message: string) => new DipError('unauthenticated', 'unauthenticated', message);
const BAD_LOGIN = 'unknown username or wrong password';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** argon2id with the library's defaults (19 MiB, 2 passes: OWASP's minimum for argon2id). */
export const hashPassword = (password: string): Promise<string> => argon2Hash(password);

/**
 * Sessions and tokens. Login checks the password (argon2id) and opens a session: a short-lived
 * signed access token (JWT, HS256, naming the session) and a refresh token whose sha256 is all
 * the database keeps. Every request's token is checked against its session, so logout (or a
 * deactivated user) takes effect at once; a token that passed is trusted by this process for up
 * to SESSION_CACHE_MS (5 s) without a new check, and a revocation made in this process forgets it
 * at once, one made by another process (another server, the CLI) is seen here up to 5 s later
 * (session-cache.ts). A refresh rotates the refresh token; presenting an old one again (a stolen
 * copy) revokes the session.
 */
@Injectable()
export class AuthService {
  private key: Promise<KeyObject> | null = null;
  /** Verified against when the username is unknown, so that both answers take as long. */
  private readonly decoy = hashPassword(randomBytes(16).toString('hex'));

  constructor(
    private readonly users: UsersStore,
    private readonly jwt: JwtService,
    private readonly sessions: SessionCache,
  ) {}

  /**
   * The signing key as a KeyObject, made once: given a string, jsonwebtoken first tries to read it
   * as a PEM public key (an exception each time), a seventh of a request's CPU time.
   */
  private secret(): Promise<string> {
    this.key ??= this.users.signingKey().then((k) => createSecretKey(Buffer.from(k, 'utf8')));
    // @nestjs/jwt types its secret as string | Buffer; jsonwebtoken takes a KeyObject as it is.
    return this.key as unknown as Promise<string>;
  }

  async login(username: string, password: string): Promise<Tokens> {
    const found = await this.users.byUsername(username);
    const ok = await argon2Verify(found?.passwordHash ?? (await this.decoy), password).catch(() => false);
    if (!found || !ok || !found.user.active) throw unauthenticated(BAD_LOGIN);
    const sid = randomUUID();
    const refresh = `${sid}.${randomBytes(32).toString('base64url')}`;
    await this.users.openSession(sid, found.user.id, sha256(refresh), new Date(Date.now() + SESSION_TTL_MS));
    return this.tokens(found.user, sid, refresh);
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const sid = refreshToken.split('.')[0] ?? '';
    const session = /^[0-9a-f-]{36}$/.test(sid) ? await this.users.liveSession(sid) : null;
    if (!session) throw unauthenticated('the refresh token is unknown, expired or revoked; log in again');
    const user = await this.users.byId(session.userId);
    const next = `${sid}.${randomBytes(32).toString('base64url')}`;
    if (!user?.active || !(await this.users.rotate(sid, sha256(refreshToken), sha256(next), new Date(Date.now() + SESSION_TTL_MS)))) {
      // A refresh token used twice: someone holds a copy. The session ends for both.
      await this.users.revoke(sid);
      throw unauthenticated('the refresh token was already used; the session is revoked; log in again');
    }
    return this.tokens(user, sid, next);
  }

  async logout(p: Principal & { sessionId: string }): Promise<void> {
    await this.users.revoke(p.sessionId);
  }

  /**
   * The principal of a bearer token: signature, expiry and a live session; else 401. A token that
   * passed in the last few seconds is answered from the session cache (same string, not expired,
   * its session not revoked by this process since).
   */
  async principalOf(token: string): Promise<SessionPrincipal> {
    const now = Date.now();
    const cached = this.sessions.get(token, now);
    if (cached) return cached;
    const mark = this.sessions.mark();
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token, { secret: await this.secret(), algorithms: ['HS256'] });
    } catch (err) {
      throw unauthenticated(
        (err as Error).name === 'TokenExpiredError' ? 'the access token expired; refresh it' : 'the access token is not valid',
      );
    }
    const session = await this.users.liveSession(claims.sid);
    if (!session || session.userId !== claims.sub) throw unauthenticated('the session of this token ended (logged out or revoked)');
    // Frozen: the cache hands the same object to every request of this token.
    const principal: SessionPrincipal = Object.freeze({
      userId: claims.sub,
      username: claims.usr,
      role: claims.role,
      region: claims.region,
      hospital: claims.hospital,
      sessionId: claims.sid,
    });
    // A token without an expiry (none is signed so) is never kept.
    this.sessions.put(token, principal, now, typeof claims.exp === 'number' ? claims.exp * 1000 : now, mark);
    return principal;
  }

  private async tokens(
    user: { id: string; username: string; role: Role; region: string; hospital: string | null },
    sid: string,
    refresh: string,
  ): Promise<Tokens> {
    const claims: Omit<AccessClaims, 'exp'> = {
      sub: user.id,
      sid,
      usr: user.username,
      role: user.role,
      region: user.region,
      hospital: user.hospital,
    };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: await this.secret(),
      algorithm: 'HS256',
      expiresIn: ACCESS_TTL_SECONDS,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TTL_SECONDS, refreshToken: refresh };
  }
}
