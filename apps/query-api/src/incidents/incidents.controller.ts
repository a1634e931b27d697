import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiBearerAuth,
} from '@nestjs/swagger';
import { ENTITY_TYPES } from '@soc/contracts';
import type { DataSource } from '@soc/persistence';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { notFound, readAsTenant } from '../http/tenant-read';
import { InputReader } from '../http/validation';
import { DATA_SOURCE } from '../tokens';
import {
  STATS_BUCKETS,
  alertDetail,
  entityView,
  incidentDetail,
  listIncidents,
  tenantStats,
  type IncidentFilter,
} from './incident-queries';
import { ApiQueueQueries, QUEUE_PARAMS, readQueueParams } from './queue-params';

const DAY_MS = 86_400_000;

/** Reads of the read model; every query runs tenant-scoped under row level security. */
@ApiTags('incidents')
@ApiSecurity('api-key')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller()
export class IncidentsController {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  @Get('incidents')
  @ApiOperation({
    summary: 'List incidents: filters, sort by priority or last seen, cursor pagination',
  })
  @ApiQueueQueries()
  @ApiQuery({ name: 'entity_type', required: false, enum: ENTITY_TYPES })
  @ApiQuery({ name: 'entity_value', required: false })
  @ApiQuery({
    name: 'q',
    required: false,
    description: 'free text: title, rules, tactics, entities, assignee',
  })
  @ApiQuery({ name: 'include_merged', required: false, type: Boolean })
  @ApiOkResponse({ description: '{ items: IncidentSummary[], nextCursor: string | null }' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const filter = readFilter(query);
    return readAsTenant(this.dataSource, principal.tenantId, (db, tenantId) =>
      listIncidents(db, tenantId, filter),
    );
  }

  @Get('incidents/:incidentId')
  @ApiOperation({
    summary: 'One incident: row, score breakdown, alerts, entities with asset context, timeline',
  })
  @ApiParam({ name: 'incidentId' })
  async detail(@CurrentPrincipal() principal: Principal, @Param('incidentId') incidentId: string) {
    const found = await readAsTenant(this.dataSource, principal.tenantId, (db, tenantId) =>
      incidentDetail(db, tenantId, incidentId),
    );
    if (!found) throw notFound('incidentId', `no incident ${incidentId}`);
    return found;
  }

  @Get('alerts/:alertId')
  @ApiOperation({ summary: 'One alert and the incidents it is part of' })
  @ApiParam({ name: 'alertId' })
  async alert(@CurrentPrincipal() principal: Principal, @Param('alertId') alertId: string) {
    const found = await readAsTenant(this.dataSource, principal.tenantId, (db, tenantId) =>
      alertDetail(db, tenantId, alertId),
    );
    if (!found) throw notFound('alertId', `no alert ${alertId}`);
    return found;
  }

  @Get('entities/:entityType/:value')
  @ApiOperation({ summary: 'An entity, its asset record and every incident touching it' })
  @ApiParam({ name: 'entityType', enum: ENTITY_TYPES })
  @ApiParam({ name: 'value' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async entity(
    @CurrentPrincipal() principal: Principal,
    @Param('entityType') entityType: string,
    @Param('value') value: string,
    @Query() query: Record<string, unknown>,
  ) {
    const input = new InputReader({ entityType, ...query });
    input.oneOf('entityType', ENTITY_TYPES);
    const limit =
      input.number('limit', { required: false, min: 1, max: 500, integer: true }) ?? 100;
    input.done();
    const found = await readAsTenant(this.dataSource, principal.tenantId, (db, tenantId) =>
      entityView(db, tenantId, entityType, value, limit),
    );
    if (!found) throw notFound('value', `no ${entityType} ${value} in any incident or asset`);
    return found;
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Hourly alerts in vs incidents opened, priority distribution, time to acknowledge',
  })
  @ApiQuery({ name: 'from', required: false, description: 'default: 24 h before `to`' })
  @ApiQuery({ name: 'to', required: false, description: 'default: now' })
  @ApiQuery({
    name: 'bucket',
    required: false,
    enum: STATS_BUCKETS,
    description: 'minute adds `perMinute` (for ranges of at most 24 h); hourly figures always',
  })
  async stats(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const input = new InputReader(query);
    input.onlyKnown(['from', 'to', 'bucket']);
    const to = input.time('to') ?? Date.now();
    const from = input.time('from') ?? to - DAY_MS;
    const bucket = input.oneOf('bucket', STATS_BUCKETS, { required: false }) ?? 'hour';
    if (from >= to) input.problem('from', 'must be before to');
    if (to - from > 92 * DAY_MS) input.problem('from', 'the range may span at most 92 days');
    if (bucket === 'minute' && to - from > DAY_MS)
      input.problem('bucket', 'minute buckets need a range of at most 24 h');
    input.done();
    return readAsTenant(this.dataSource, principal.tenantId, (db, tenantId) =>
      tenantStats(db, tenantId, { from, to, bucket }),
    );
  }

  @Get('me')
  @ApiOperation({ summary: 'Who the credentials belong to' })
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}

const LIST_PARAMS = [...QUEUE_PARAMS, 'entity_type', 'entity_value', 'q', 'include_merged'];

export function readFilter(query: Record<string, unknown>): IncidentFilter {
  const input = new InputReader(query);
  input.onlyKnown(LIST_PARAMS);
  const queue = readQueueParams(input);
  const entityType = input.oneOf('entity_type', ENTITY_TYPES, { required: false });
  const entityValue = input.string('entity_value', { required: false, max: 2_000 });
  if ((entityType === null) !== (entityValue === null)) {
    input.problem(
      entityType === null ? 'entity_type' : 'entity_value',
      'entity_type and entity_value go together',
    );
  }
  const filter: IncidentFilter = {
    ...queue,
    entity:
      entityType !== null && entityValue !== null ? { type: entityType, value: entityValue } : null,
    text: input.string('q', { required: false, max: 500 }),
    includeMerged: input.boolean('include_merged', false),
  };
  input.done();
  return filter;
}
