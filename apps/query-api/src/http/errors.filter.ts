import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from '@soc/observability';

/**
 * HTTP errors keep Nest's body; anything else is a bug or an outage: logged with the request
 * and answered 500 without internals.
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
    this.logger.error(
      { err: error, method: req.method, url: req.originalUrl, tenantId: req.principal?.tenantId },
      'request failed',
    );
    if (!res.headersSent) res.status(500).json({ statusCode: 500, error: 'Internal Server Error' });
  }
}
