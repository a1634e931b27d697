import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { ApiKeyRole } from '@soc/contracts';

/** Who is calling: always exactly one tenant, one role. */
export interface Principal {
  readonly tenantId: string;
  readonly role: ApiKeyRole;
  /** The analyst (key name or token subject): the actor of the events they cause. */
  readonly subject: string;
  readonly via: 'api-key' | 'oidc';
}

export type AuthenticatedRequest = Request & { principal?: Principal };

export const ROLES_KEY = 'soc:roles';

/** Roles allowed on a controller or handler; analyst and admin when not stated. */
export const Roles = (...roles: ApiKeyRole[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without the auth guard');
    return principal;
  },
);
