import { Body, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation } from '@nestjs/swagger';
import type { Static } from '@sinclair/typebox';
import type { TenantConfigDocument } from '@soc/contracts';
import { parseTenantConfig, type SuppressionProposal } from '@soc/domain';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { InputReader, ValidationFailed } from '../../http/validation';
import { SUPPRESSION_PROPOSALS, TENANT_CONFIG_SERVICE } from '../../tokens';
import { AdminRoutes } from '../admin-routes';
import { schemaProblems } from './schema-problems';
import type { SuppressionProposals } from './suppression-proposals.service';
import { DecideProposalSchema, PutTenantConfigSchema, openApiSchema } from './tenant-config-schema';
import type { TenantConfigService } from './tenant-config.service';

const HISTORY_SHOWN = 50;

/** The body, checked against its schema: a 400 names each field that is wrong. */
function checked<S extends typeof PutTenantConfigSchema | typeof DecideProposalSchema>(
  schema: S,
  body: unknown,
): Static<S> {
  const problems = schemaProblems(schema, body);
  if (problems.length > 0) throw new ValidationFailed(problems);
  return body as Static<S>;
}

/** The document with one suppression more, or one proposal more turned down. */
function decided(
  config: TenantConfigDocument,
  proposal: SuppressionProposal,
  accept: boolean,
): TenantConfigDocument {
  if (!accept) return { ...config, rejectedProposals: [...config.rejectedProposals, proposal.id] };
  const suppressions = config.correlation['suppressions'];
  const existing = Array.isArray(suppressions) ? (suppressions as unknown[]) : [];
  return {
    ...config,
    correlation: { ...config.correlation, suppressions: [...existing, proposal.rule] },
  };
}

/**
 * A tenant's own configuration (admin role): read it with its audit, replace it with the
 * version it was read at, and decide the suppression proposals. Every change is a version:
 * an event on soc.tenant-config.v1 the correlator applies from the tenant's next alert on.
 */
@AdminRoutes()
export class TenantConfigController {
  constructor(
    @Inject(TENANT_CONFIG_SERVICE) private readonly configs: TenantConfigService,
    @Inject(SUPPRESSION_PROPOSALS) private readonly proposals: SuppressionProposals,
  ) {}

  @Get('tenant-config')
  @ApiOperation({
    summary:
      "The tenant's configuration in force, and its latest versions as the correlator took them in (the audit)",
  })
  async get(@CurrentPrincipal() principal: Principal) {
    const current = await this.configs.current(principal.tenantId);
    return { ...current, history: await this.configs.history(principal.tenantId, HISTORY_SHOWN) };
  }

  @Get('tenant-config/history')
  @ApiOperation({
    summary: 'Every configuration version: who changed what, when and why, newest first',
  })
  async history(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const input = new InputReader(query);
    const limit =
      input.number('limit', { required: false, min: 1, max: 1_000, integer: true }) ?? 100;
    input.done();
    return this.configs.history(principal.tenantId, limit);
  }

  @Put('tenant-config')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Replace the configuration: applied by the correlator from the next alert on, without a restart (409 on a stale version)',
  })
  @ApiBody({ schema: openApiSchema(PutTenantConfigSchema) })
  async put(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    const { version, reason } = checked(PutTenantConfigSchema, body);
    const parsed = parseTenantConfig((body as { config: unknown }).config, {
      tenantId: principal.tenantId,
      path: 'config',
    });
    if (!parsed.ok)
      throw new ValidationFailed(parsed.errors.map((e) => ({ path: e.path, reason: e.message })));
    const event = await this.configs.change(principal, {
      expectedVersion: version,
      config: parsed.config,
      reason,
      change: 'edited',
      proposalId: null,
    });
    return { tenantId: event.tenantId, version: event.data.version, eventId: event.eventId };
  }

  @Get('suppression-proposals')
  @ApiOperation({
    summary:
      'Suppressions proposed from false-positive verdicts, each with a preview of what it would have folded',
  })
  async listProposals(@CurrentPrincipal() principal: Principal) {
    const current = await this.configs.current(principal.tenantId);
    return {
      version: current.version,
      proposals: await this.proposals.list(principal.tenantId, current.config),
    };
  }

  @Post('suppression-proposals/:proposalId/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept a proposal: its rule joins the configuration as a new version' })
  @ApiBody({ schema: openApiSchema(DecideProposalSchema) })
  accept(
    @CurrentPrincipal() principal: Principal,
    @Param('proposalId') proposalId: string,
    @Body() body: unknown,
  ) {
    return this.decide(principal, { proposalId, body, accept: true });
  }

  @Post('suppression-proposals/:proposalId/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a proposal: it is not proposed again (a new version records it)',
  })
  @ApiBody({ schema: openApiSchema(DecideProposalSchema) })
  reject(
    @CurrentPrincipal() principal: Principal,
    @Param('proposalId') proposalId: string,
    @Body() body: unknown,
  ) {
    return this.decide(principal, { proposalId, body, accept: false });
  }

  private async decide(
    principal: Principal,
    { proposalId, body, accept }: { proposalId: string; body: unknown; accept: boolean },
  ) {
    const { version, reason } = checked(DecideProposalSchema, body);
    const current = await this.configs.current(principal.tenantId);
    const proposal = await this.proposals.find(principal.tenantId, current.config, proposalId);
    const event = await this.configs.change(principal, {
      expectedVersion: version,
      config: decided(current.config, proposal, accept),
      reason,
      change: accept ? 'suppression-accepted' : 'suppression-rejected',
      proposalId,
    });
    return {
      tenantId: event.tenantId,
      version: event.data.version,
      eventId: event.eventId,
      proposal,
    };
  }
}
