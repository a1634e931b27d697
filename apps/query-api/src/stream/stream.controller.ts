import { Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import type { PgApiKeyVerifier } from '@soc/persistence';
import { ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { withTenant, type DataSource } from '@soc/persistence';
import type { Logger } from '@soc/observability';
import { API_KEY_VERIFIER, AuthGuard } from '../auth/auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import type { QueryApiConfig } from '../query-api.config';
import { incidentSummaries } from '../incidents/incident-queries';
import type { QueryApiMetrics } from '../query-api.metrics';
import {
  DATA_SOURCE,
  QUERY_API_CONFIG,
  QUERY_API_LOGGER,
  QUERY_API_METRICS,
  READ_MODEL_LISTENER,
} from '../tokens';
import type { ReadModelListener } from './read-model-listener';

const HEARTBEAT_MS = 15_000;
/** Changes arriving within this window go out as one message. */
const COALESCE_MS = 100;
/** Bytes a slow client may leave unread before its stream is closed (it reconnects). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Server-Sent Events per tenant, fed by the projector's NOTIFY after each committed batch:
 * `incidents` carries the changed incidents as list rows, `refresh` asks the client to reload
 * the list (a batch changed too many to name), `ready` opens the stream.
 *
 * Bounds: at most `sseMaxClients` streams, `sseMaxPerTenant` per tenant (429 past them); a
 * stream ends after `sseLifetimeMs` (`event: end`, the client reconnects and authenticates
 * again); an API key is re-verified every API_KEY_CACHE (at least 1 s), so a revoked one gets `event: revoked` and
 * the end of the stream; a client that leaves more than 1 MiB unread is cut off rather than
 * buffered without bound.
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
    @Inject(QUERY_API_CONFIG) private readonly config: QueryApiConfig,
    @Inject(API_KEY_VERIFIER) private readonly apiKeys: Pick<PgApiKeyVerifier, 'verify'>,
  ) {}

  private readonly perTenant = new Map<string, number>();
  private clients = 0;

  @Get('stream')
  @ApiOperation({
    summary: 'Live incident updates (text/event-stream); credentials in headers, as everywhere',
  })
  @ApiProduces('text/event-stream')
  stream(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const { tenantId } = principal;
    const limits = this.config.limits;
    const open = this.perTenant.get(tenantId) ?? 0;
    if (this.clients >= limits.sseMaxClients || open >= limits.sseMaxPerTenant) {
      res.setHeader('Retry-After', 30);
      res.status(429).json({
        statusCode: 429,
        error: 'Too Many Requests',
        errors: [{ path: 'stream', reason: 'too many open streams; close one or retry later' }],
      });
      return;
    }
    this.clients += 1;
    this.perTenant.set(tenantId, open + 1);
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const send = (event: string, data: unknown): void => {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.logger.warn({ tenantId }, 'live stream client too slow; closing its stream');
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const finish = (event: string): void => {
      send(event, {});
      res.end();
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
    const lifetime = setTimeout(() => finish('end'), limits.sseLifetimeMs);
    const apiKey = req.headers['x-api-key'];
    const recheck = setInterval(
      () => {
        if (typeof apiKey !== 'string') return;
        this.apiKeys
          .verify(apiKey)
          .then((still) => {
            if (!still && !closed) finish('revoked');
          })
          .catch((err: unknown) =>
            this.logger.warn({ err, tenantId }, 'stream key re-check failed'),
          );
      },
      Math.max(1_000, this.config.apiKeyCacheMs),
    );
    this.metrics.sseClients.inc();
    res.on('close', () => {
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      clearInterval(recheck);
      clearTimeout(lifetime);
      if (timer) clearTimeout(timer);
      this.clients -= 1;
      const left = (this.perTenant.get(tenantId) ?? 1) - 1;
      if (left > 0) this.perTenant.set(tenantId, left);
      else this.perTenant.delete(tenantId);
      this.metrics.sseClients.dec();
    });
  }
}
