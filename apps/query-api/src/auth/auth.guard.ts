import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyRole } from '@soc/contracts';
import type { PgApiKeyVerifier } from '@soc/persistence';
import { OidcVerifier, TokenRejected } from './oidc-verifier';
import { ROLES_KEY, type AuthenticatedRequest, type Principal } from './principal';

export const API_KEY_VERIFIER = Symbol('ApiKeyVerifier');
export const OIDC_VERIFIER = Symbol('OidcVerifier');

const DEFAULT_ROLES: readonly ApiKeyRole[] = ['analyst', 'admin'];

const unauthorized = (path: string, reason: string) =>
  new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', errors: [{ path, reason }] });

const first = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : undefined;

/**
 * Authenticates every request of the API: `x-api-key` (hashed lookup, per tenant) or an OIDC
 * bearer token when configured. Then authorizes by role: ingest keys reach nothing here.
 * Credentials come from headers only, never the query string (URLs end up in logs and
 * browser history). The `authenticateFirst` middleware calls `authenticate` before the body
 * is parsed; the guard then only checks the role.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(API_KEY_VERIFIER) private readonly apiKeys: Pick<PgApiKeyVerifier, 'verify'>,
    @Inject(OIDC_VERIFIER) private readonly oidc: OidcVerifier | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const roles =
      this.reflector.getAllAndOverride<ApiKeyRole[] | undefined>(ROLES_KEY, targets) ??
      DEFAULT_ROLES;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal ?? (await this.authenticate(request));
    if (!roles.includes(principal.role)) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        errors: [
          {
            path: 'role',
            reason: `role ${principal.role} may not call this endpoint (allowed: ${roles.join(', ')})`,
          },
        ],
      });
    }
    request.principal = principal;
    return true;
  }

  async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const headerKey = first(request.headers['x-api-key']);
    if (headerKey) return this.byApiKey(headerKey, 'x-api-key');
    const authorization = first(request.headers.authorization);
    if (authorization?.startsWith('Bearer '))
      return this.byToken(authorization.slice('Bearer '.length).trim(), 'authorization');
    throw unauthorized(
      'x-api-key',
      'missing credentials: send x-api-key or Authorization: Bearer <token>',
    );
  }

  private async byApiKey(apiKey: string, path: string): Promise<Principal> {
    const found = await this.apiKeys.verify(apiKey);
    if (!found) throw unauthorized(path, 'unknown or revoked API key');
    return {
      tenantId: found.tenantId,
      role: found.role,
      subject: found.name ?? found.keyId,
      via: 'api-key',
    };
  }

  private async byToken(token: string, path: string): Promise<Principal> {
    if (!this.oidc) throw unauthorized(path, 'bearer tokens are not configured (OIDC_JWKS_URL)');
    try {
      return await this.oidc.verify(token);
    } catch (error) {
      if (error instanceof TokenRejected)
        throw unauthorized(path, `token rejected: ${error.message}`);
      throw error;
    }
  }
}
