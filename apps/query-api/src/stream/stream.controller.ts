import { Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { withTenant, type DataSource } from '@soc/persistence';
import type { Logger } from '@soc/observability';
import { AuthGuard } from '../auth/auth.guard';
import { AllowQueryCredentials, CurrentPrincipal, type Principal } from '../auth/principal';
import { incidentSummaries } from '../incidents/incident-queries';
import type { QueryApiMetrics } from '../query-api.metrics';
import { DATA_SOURCE, QUERY_API_LOGGER, QUERY_API_METRICS, READ_MODEL_LISTENER } from '../tokens';
import type { ReadModelListener } from './read-model-listener';

const HEARTBEAT_MS = 15_000;
/** Changes arriving within this window go out as one message. */
const COALESCE_MS = 100;

/**
 * Server-Sent Events per tenant, fed by the projector's NOTIFY after each committed batch:
 * `incidents` carries the changed incidents as list rows, `refresh` asks the client to reload
 * the list (a batch changed too many to name), `ready` opens the stream.
 */
@ApiTags('stream')
@ApiSecurity('api-key')
@UseGuards(AuthGuard)
@Controller()
export class StreamController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(READ_MODEL_LISTENER) private readonly listener: ReadModelListener,
    @Inject(QUERY_API_METRICS) private readonly metrics: QueryApiMetrics,
    @Inject(QUERY_API_LOGGER) private readonly logger: Logger,
  ) {}

  @Get('stream')
  @AllowQueryCredentials()
  @ApiOperation({
    summary: 'Live incident updates (text/event-stream); EventSource passes the key as ?key=',
  })
  @ApiQuery({
    name: 'key',
    required: false,
    description: 'API key, for EventSource which cannot send headers',
  })
  @ApiProduces('text/event-stream')
  stream(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const { tenantId } = principal;
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write('retry: 3000\n\n');
    send('ready', { tenantId, listening: this.listener.connected });

    const pending = new Set<string>();
    let refresh = false;
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    const flush = async (): Promise<void> => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      if (refresh) {
        refresh = false;
        send('refresh', {});
      }
      if (ids.length === 0 || closed) return;
      try {
        const incidents = await withTenant(
          this.dataSource,
          tenantId,
          (db) => incidentSummaries(db, tenantId, ids),
          { readOnly: true },
        );
        if (!closed) send('incidents', { incidents });
      } catch (error) {
        this.logger.warn({ err: error, tenantId }, 'live stream could not load changed incidents');
        send('refresh', {});
      }
    };
    const unsubscribe = this.listener.subscribe(tenantId, (change) => {
      if (change.incidentIds.length === 0) refresh = true;
      for (const id of change.incidentIds) pending.add(id);
      timer ??= setTimeout(() => void flush(), COALESCE_MS);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.metrics.sseClients.inc();
    req.on('close', () => {
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      this.metrics.sseClients.dec();
    });
  }
}
