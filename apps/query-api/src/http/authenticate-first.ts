import { HttpException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@soc/observability';
import type { AuthGuard } from '../auth/auth.guard';
import type { AuthenticatedRequest } from '../auth/principal';
import type { RateLimiter } from './rate-limiter';

const RETRY_AFTER_OUTAGE_SECONDS = 5;

/**
 * Express middleware in front of the body parsers: every `/api/v1` request is authenticated
 * and rate-limited before a byte of its body is read, so an anonymous sender cannot make the
 * API parse megabytes, and one key cannot take the API from the others. Failed attempts are
 * limited per client address, so guessing keys (or flushing caches with random ones) is slow.
 * The guard still checks roles per route, with the principal found here.
 */
export function authenticateFirst(parts: {
  readonly guard: AuthGuard;
  readonly perKey: RateLimiter;
  readonly failuresPerAddress: RateLimiter;
  readonly logger: Logger;
  readonly now?: () => number;
}): (req: Request, res: Response, next: NextFunction) => void {
  const now = parts.now ?? Date.now;
  return (req, res, next) => {
    if (!req.path.startsWith('/api/v1/')) return next();
    const address = req.socket.remoteAddress ?? 'unknown';
    parts.guard
      .authenticate(req as AuthenticatedRequest)
      .then((principal) => {
        (req as AuthenticatedRequest).principal = principal;
        const waitMs = parts.perKey.take(`${principal.tenantId}\u0000${principal.subject}`, now());
        if (waitMs > 0) return tooMany(res, waitMs, 'this key');
        next();
      })
      .catch((error: unknown) => {
        if (error instanceof HttpException) {
          const waitMs = parts.failuresPerAddress.take(address, now());
          if (waitMs > 0) return tooMany(res, waitMs, 'failed sign-ins from this address');
          res.status(error.getStatus()).json(error.getResponse());
          return;
        }
        parts.logger.warn({ err: error, method: req.method }, 'credentials could not be checked');
        res.setHeader('Retry-After', RETRY_AFTER_OUTAGE_SECONDS);
        res.status(503).json({
          statusCode: 503,
          error: 'Service Unavailable',
          errors: [{ path: 'x-api-key', reason: 'the key store cannot be reached; retry later' }],
        });
      });
  };
}

function tooMany(res: Response, waitMs: number, whose: string): void {
  res.setHeader('Retry-After', Math.max(1, Math.ceil(waitMs / 1_000)));
  res.status(429).json({
    statusCode: 429,
    error: 'Too Many Requests',
    errors: [{ path: 'x-api-key', reason: `rate limit of ${whose} reached; retry later` }],
  });
}
