import {
  Body,
  ConflictException,
  Delete,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
} from '@nestjs/swagger';
import { API_KEY_ROLES, ENTITY_TYPES, type ApiKeyRole } from '@soc/contracts';
import {
  ensureTenant,
  issueApiKey,
  revokeApiKey,
  withTenant,
  type DataSource,
  type PgApiKeyVerifier,
} from '@soc/persistence';
import { API_KEY_VERIFIER } from '../auth/auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { InputReader, ValidationFailed } from '../http/validation';
import type { QueryApiConfig } from '../query-api.config';
import { AdminRoutes } from './admin-routes';
import { DATA_SOURCE, QUERY_API_CONFIG } from '../tokens';
import { assetsFromCsv, assetsFromJson, listAssets, upsertAssets } from './assets';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

class CreateTenantBody {
  @ApiProperty({ example: 'acme' }) tenant_id!: string;
  @ApiProperty({ example: 'ACME Corp' }) name!: string;
}
class CreateKeyBody {
  @ApiProperty({ enum: API_KEY_ROLES }) role!: ApiKeyRole;
  @ApiProperty({ example: 'alice' }) name!: string;
  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z', description: 'absent: never' })
  expires_at?: string;
}
class AssetBody {
  @ApiProperty({ enum: ENTITY_TYPES }) entity_type!: string;
  @ApiProperty({ example: 'dc-01' }) value!: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) criticality!: number;
  @ApiPropertyOptional() owner?: string;
  @ApiPropertyOptional({ type: [String] }) tags?: string[];
}

const forbidden = (reason: string) =>
  new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    errors: [{ path: 'role', reason }],
  });

/**
 * Administration. Admin keys of the platform tenant (PLATFORM_TENANT_ID, the deployment's
 * operator) create tenants and keys for any tenant; a tenant's own admins manage its keys and
 * its asset inventory. Keys are shown once, in the response that creates them.
 */
@AdminRoutes()
export class AdminController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(QUERY_API_CONFIG) private readonly config: QueryApiConfig,
    @Inject(API_KEY_VERIFIER) private readonly apiKeys: Pick<PgApiKeyVerifier, 'forget'>,
  ) {}

  @Post('tenants')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a tenant and its first admin key (platform admins only)' })
  @ApiBody({ type: CreateTenantBody })
  async createTenant(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    if (principal.tenantId !== this.config.platformTenantId)
      throw forbidden('only platform admins create tenants');
    const input = new InputReader(body);
    input.onlyKnown(['tenant_id', 'name']);
    const tenantId = input.string('tenant_id', { max: 63, pattern: TENANT_ID }) ?? '';
    const name = input.string('name', { max: 200 }) ?? '';
    input.done();
    const created = await ensureTenant(this.dataSource, tenantId, name);
    if (!created) {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        errors: [{ path: 'tenant_id', reason: `tenant ${tenantId} exists already` }],
      });
    }
    const key = await issueApiKey(this.dataSource, {
      tenantId,
      role: 'admin',
      name: `${name} admin`,
    });
    return { tenantId, name, adminKey: { apiKey: key.apiKey, keyId: key.keyId, role: key.role } };
  }

  @Post('tenants/:tenantId/api-keys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Issue an API key (analyst, admin or ingest) for a tenant' })
  @ApiBody({ type: CreateKeyBody })
  async createKey(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Body() body: unknown,
  ) {
    if (principal.tenantId !== tenantId && principal.tenantId !== this.config.platformTenantId) {
      throw forbidden(`admins of ${principal.tenantId} may not issue keys for ${tenantId}`);
    }
    const input = new InputReader(body);
    input.onlyKnown(['role', 'name', 'expires_at']);
    const role = input.oneOf('role', API_KEY_ROLES) ?? 'analyst';
    const name = input.string('name', { max: 200 }) ?? '';
    const expiresAt = input.time('expires_at');
    if (expiresAt !== null && expiresAt <= Date.now())
      input.problem('expires_at', 'must be in the future');
    input.done();
    const exists = await withTenant(this.dataSource, tenantId, async (db) => {
      const rows: unknown = await db.query('SELECT 1 FROM public.tenants WHERE tenant_id = $1', [
        tenantId,
      ]);
      return Array.isArray(rows) && rows.length > 0;
    });
    if (!exists)
      throw new ValidationFailed([{ path: 'tenantId', reason: `no tenant ${tenantId}` }]);
    const key = await issueApiKey(this.dataSource, {
      tenantId,
      role,
      name,
      expiresAt: expiresAt === null ? null : new Date(expiresAt),
    });
    return {
      tenantId,
      apiKey: key.apiKey,
      keyId: key.keyId,
      role: key.role,
      name: key.name,
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
    };
  }

  @Delete('tenants/:tenantId/api-keys/:keyId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key: it stops working here at once, elsewhere within API_KEY_CACHE',
  })
  async revokeKey(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Param('keyId') keyId: string,
  ): Promise<void> {
    if (principal.tenantId !== tenantId && principal.tenantId !== this.config.platformTenantId) {
      throw forbidden(`admins of ${principal.tenantId} may not revoke keys of ${tenantId}`);
    }
    const revoked = await revokeApiKey(this.dataSource, { tenantId, keyId });
    if (!revoked) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        errors: [{ path: 'keyId', reason: `${tenantId} has no active key ${keyId}` }],
      });
    }
    this.apiKeys.forget(keyId);
  }

  @Post('assets')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Load the asset inventory (upsert) as JSON or CSV (entity_type,value,criticality,owner,tags)',
  })
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ type: [AssetBody] })
  async loadAssets(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
  ) {
    const isCsv =
      (contentType ?? '').startsWith('text/csv') || (contentType ?? '').startsWith('text/plain');
    const { assets, problems } = isCsv
      ? assetsFromCsv(typeof body === 'string' ? body : '')
      : assetsFromJson(body);
    // All or nothing: a half-loaded inventory would score incidents on a mix of old and new.
    if (problems.length > 0) throw new ValidationFailed(problems.slice(0, 100));
    const upserted = await withTenant(this.dataSource, principal.tenantId, (db) =>
      upsertAssets(db, principal.tenantId, assets),
    );
    return { tenantId: principal.tenantId, upserted };
  }

  @Get('assets')
  @ApiOperation({ summary: "The tenant's asset inventory, most critical first" })
  async assets(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const input = new InputReader(query);
    const limit =
      input.number('limit', { required: false, min: 1, max: 10_000, integer: true }) ?? 1_000;
    input.done();
    return withTenant(
      this.dataSource,
      principal.tenantId,
      (db) => listAssets(db, principal.tenantId, limit),
      { readOnly: true },
    );
  }
}
