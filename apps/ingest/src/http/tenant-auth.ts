import {
  ServiceUnavailableException,
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
  ForbiddenException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ApiKeyPrincipal } from '@soc/persistence';

/** Looks an API key up by its key id and checks the secret against its salted hash. */
export interface ApiKeyVerifier {
  verify(apiKey: string): Promise<ApiKeyPrincipal | undefined>;
}
export const API_KEY_VERIFIER = Symbol('ApiKeyVerifier');

export type AuthenticatedRequest = Request & { principal: ApiKeyPrincipal };

/** What a 503 tells the sender to wait before retrying. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Ingest accepts keys of the ingest and admin roles; the tenant comes from the key alone. It
 * runs before the body is read. A key that cannot be checked (database down, and the key not
 * verified recently enough to be trusted from the cache) is a 503 with Retry-After: the
 * sender keeps the alerts and retries, which a 401 or a 500 would not tell it.
 */
@Injectable()
export class IngestKeyGuard implements CanActivate {
  constructor(@Inject(API_KEY_VERIFIER) private readonly verifier: ApiKeyVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['x-api-key'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (!apiKey)
      throw new UnauthorizedException({ field: 'x-api-key', reason: 'missing API key header' });
    let principal: ApiKeyPrincipal | undefined;
    try {
      principal = await this.verifier.verify(apiKey);
    } catch {
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', RETRY_AFTER_SECONDS);
      throw new ServiceUnavailableException({
        field: 'x-api-key',
        reason: 'the API key store cannot be reached; retry later',
      });
    }
    if (!principal)
      throw new UnauthorizedException({ field: 'x-api-key', reason: 'unknown or revoked API key' });
    if (principal.role !== 'ingest' && principal.role !== 'admin') {
      throw new ForbiddenException({
        field: 'x-api-key',
        reason: `role ${principal.role} may not ingest alerts`,
      });
    }
    request.principal = principal;
    return true;
  }
}
