import {
  Controller,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { ALERT_FORMATS, TRACEPARENT_HEADER, type AlertFormat } from '@soc/contracts';
import { IngestService, IngestUnavailable } from '../ingest.service';
import { parseIngestBody } from './ingest-body';
import { BodyTooLargeError, readBody } from './read-body';
import { IngestKeyGuard, RETRY_AFTER_SECONDS, type AuthenticatedRequest } from './tenant-auth';

/** Webhook senders whose payloads are always one format. */
const WEBHOOK_FORMATS: Record<string, AlertFormat | undefined> = {
  splunk: 'splunk',
  elastic: 'elastic',
  generic: undefined,
};

@Controller('api/v1')
@UseGuards(IngestKeyGuard)
export class AlertsController {
  constructor(@Inject(IngestService) private readonly ingest: IngestService) {}

  /** One alert (JSON object), a JSON array, NDJSON, or text lines (CEF, LEEF). */
  @Post('alerts')
  async postAlerts(
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
    @Query('format') format?: string,
  ): Promise<void> {
    if (format !== undefined && !(ALERT_FORMATS as readonly string[]).includes(format)) {
      res.status(HttpStatus.BAD_REQUEST).json({
        error: 'invalid query parameter',
        field: 'format',
        reason: `unknown format '${format}'; known: ${ALERT_FORMATS.join(', ')}`,
      });
      return;
    }
    await this.handle(req, res, format as AlertFormat | undefined);
  }

  @Post('webhooks/:sender')
  async postWebhook(
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
    @Param('sender') sender: string,
  ): Promise<void> {
    if (!(sender in WEBHOOK_FORMATS)) {
      res.status(HttpStatus.NOT_FOUND).json({
        error: 'unknown webhook',
        field: 'sender',
        reason: `no webhook '${sender}'; use ${Object.keys(WEBHOOK_FORMATS).join(', ')}`,
      });
      return;
    }
    await this.handle(req, res, WEBHOOK_FORMATS[sender]);
  }

  private async handle(
    req: AuthenticatedRequest,
    res: Response,
    format: AlertFormat | undefined,
  ): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, this.ingest.limits.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res
          .status(HttpStatus.PAYLOAD_TOO_LARGE)
          .json({ error: 'payload too large', field: 'body', reason: error.message });
        return;
      }
      throw error;
    }
    const parsed = parseIngestBody(
      req.headers['content-type'],
      body,
      this.ingest.limits.maxBatchItems,
    );
    switch (parsed.kind) {
      case 'unsupported-media-type':
        res
          .status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
          .json({ error: 'unsupported media type', field: 'content-type', reason: parsed.reason });
        return;
      case 'too-many-items':
        res
          .status(HttpStatus.PAYLOAD_TOO_LARGE)
          .json({ error: 'batch too large', field: 'body', reason: parsed.reason });
        return;
      case 'invalid':
        res
          .status(HttpStatus.BAD_REQUEST)
          .json({ error: 'invalid body', field: parsed.field, reason: parsed.reason });
        return;
      case 'items':
        break;
      default: {
        const unreachable: never = parsed;
        throw new Error(`unhandled body parse outcome ${JSON.stringify(unreachable)}`);
      }
    }
    const traceHeader = req.headers[TRACEPARENT_HEADER];
    let outcome: Awaited<ReturnType<IngestService['ingest']>>;
    try {
      outcome = await this.ingest.ingest(parsed.items, {
        tenantId: req.principal.tenantId,
        format,
        traceparent: Array.isArray(traceHeader) ? traceHeader[0] : traceHeader,
      });
    } catch (error) {
      if (!(error instanceof IngestUnavailable)) throw error;
      res.setHeader('Retry-After', RETRY_AFTER_SECONDS);
      res.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        error: 'alerts not written',
        field: 'body',
        reason: `${error.message}; nothing of this request may be counted as accepted, retry it`,
      });
      return;
    }
    const accepted = outcome.results.filter((r) => r.status !== 'rejected').length;
    const status = accepted > 0 ? HttpStatus.ACCEPTED : HttpStatus.BAD_REQUEST;
    if (!parsed.batch) {
      const [only] = outcome.results;
      res
        .status(status)
        .json(only?.status === 'rejected' ? { error: 'invalid alert', ...only } : only);
      return;
    }
    res.status(status).json({
      accepted: outcome.results.filter((r) => r.status === 'accepted').length,
      duplicates: outcome.results.filter((r) => r.status === 'duplicate').length,
      rejected: outcome.results.filter((r) => r.status === 'rejected').length,
      results: outcome.results,
    });
  }
}
