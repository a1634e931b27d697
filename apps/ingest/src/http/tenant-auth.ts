import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
  ForbiddenException,
} from '@nestjs/common';
import type { Request } from 'express';
import type { ApiKeyPrincipal } from '@soc/persistence';

/** Looks an API key up by its key id and checks the secret against its salted hash. */
export interface ApiKeyVerifier {
  verify(apiKey: string): Promise<ApiKeyPrincipal | undefined>;
}
export const API_KEY_VERIFIER = Symbol('ApiKeyVerifier');

export type AuthenticatedRequest = Request & { principal: ApiKeyPrincipal };

/** Ingest accepts keys of the ingest and admin roles; the tenant comes from the key alone. */
@Injectable()
export class IngestKeyGuard implements CanActivate {
  constructor(@Inject(API_KEY_VERIFIER) private readonly verifier: ApiKeyVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['x-api-key'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (!apiKey)
      throw new UnauthorizedException({ field: 'x-api-key', reason: 'missing API key header' });
    const principal = await this.verifier.verify(apiKey);
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
