import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { DataSource } from '@soc/persistence';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ApiQueueQueries, QUEUE_PARAMS, readQueueParams } from '../incidents/queue-params';
import { notFound, readAsTenant } from '../http/tenant-read';
import { InputReader } from '../http/validation';
import { DATA_SOURCE } from '../tokens';
import { listStories, storyDetail, type StoryFilter } from './story-queries';

/**
 * Attack stories: the incidents joined by campaign links, triaged as one item (an incident
 * without a link is a story of its own). Read-only, tenant-scoped under row level security.
 */
@ApiTags('stories')
@ApiSecurity('api-key')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller()
export class StoriesController {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  @Get('stories')
  @ApiOperation({
    summary:
      'List attack stories (one item per campaign or unlinked incident): filters, sort by priority or last seen, cursor pagination',
  })
  @ApiQueueQueries()
  @ApiQuery({
    name: 'min_incidents',
    required: false,
    type: Number,
    description: 'only stories of at least this many incidents (2: only linked ones)',
  })
  @ApiOkResponse({ description: '{ items: StorySummary[], nextCursor: string | null }' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const filter = readStoryFilter(query);
    return readAsTenant(this.dataSource, principal.tenantId, (db, tenantId) =>
      listStories(db, tenantId, filter),
    );
  }

  @Get('stories/:storyId')
  @ApiOperation({
    summary:
      'One story: its row, member incidents by priority, the campaign links that joined them, and the lead incident’s score breakdown',
  })
  @ApiParam({ name: 'storyId', description: 'a campaign id, or the id of an unlinked incident' })
  async detail(@CurrentPrincipal() principal: Principal, @Param('storyId') storyId: string) {
    const found = await readAsTenant(this.dataSource, principal.tenantId, (db, tenantId) =>
      storyDetail(db, tenantId, storyId),
    );
    if (!found) throw notFound('storyId', `no story ${storyId}`);
    return found;
  }
}

const LIST_PARAMS = [...QUEUE_PARAMS, 'min_incidents'];

export function readStoryFilter(query: Record<string, unknown>): StoryFilter {
  const input = new InputReader(query);
  input.onlyKnown(LIST_PARAMS);
  const filter: StoryFilter = {
    ...readQueueParams(input),
    minIncidents: input.number('min_incidents', {
      required: false,
      min: 1,
      max: 1_000_000,
      integer: true,
    }),
  };
  input.done();
  return filter;
}
