import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from '@soc/observability';

/** PostgreSQL codes of a server going away, refusing connections or cancelling on timeout. */
const OUTAGE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '53300', '08006', '08001']);

/**
 * A broker, registry or database that cannot answer now, as opposed to a bug: kafkajs errors,
 * refused connections, a pool acquire timeout, a statement timeout.
 */
function isOutage(error: unknown): boolean {
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  return (
    (typeof name === 'string' && name.startsWith('KafkaJS')) ||
    (typeof code === 'string' && (OUTAGE_SQLSTATES.has(code) || code.startsWith('ECONN'))) ||
    (typeof message === 'string' &&
      /timeout exceeded when trying to connect|Connection terminated/i.test(message))
  );
}

/**
 * HTTP errors keep Nest's body; outages answer 503 with Retry-After; anything else is a bug:
 * logged with the request and answered 500 without internals.
 */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request & { principal?: { tenantId: string } }>();
    if (error instanceof HttpException) {
      const body = error.getResponse();
      res
        .status(error.getStatus())
        .json(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    // Malformed JSON bodies surface from the body parser as errors with a status.
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({
        statusCode: status,
        error: 'Bad Request',
        errors: [{ path: 'body', reason: (error as Error).message }],
      });
      return;
    }
    if (isOutage(error)) {
      this.logger.warn(
        { err: error, method: req.method, path: req.path },
        'dependency unavailable',
      );
      if (!res.headersSent)
        res
          .status(503)
          .setHeader('Retry-After', '5')
          .json({
            statusCode: 503,
            error: 'Service Unavailable',
            errors: [
              {
                path: '(service)',
                reason: 'Kafka or PostgreSQL is unavailable or busy; retry later',
              },
            ],
          });
      return;
    }
    this.logger.error(
      // The path without the query string: a sender may put a secret there by mistake.
      { err: error, method: req.method, path: req.path, tenantId: req.principal?.tenantId },
      'request failed',
    );
    if (!res.headersSent) res.status(500).json({ statusCode: 500, error: 'Internal Server Error' });
  }
}
