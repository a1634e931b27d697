import type { NextFunction, Request, Response } from 'express';

/**
 * Refuses a URL whose decoded path or query holds NUL (PostgreSQL refuses it in every text
 * parameter, which would surface as a 500) or is not valid percent-encoding: a 400 naming the
 * URL, before anything is looked up.
 */
export function refuseUnstorableUrl(req: Request, res: Response, next: NextFunction): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.originalUrl.replace(/\+/g, ' '));
  } catch {
    return void refuse(res, 'is not valid percent-encoded UTF-8');
  }
  if (decoded.includes('\u0000')) return void refuse(res, 'contains NUL (%00)');
  next();
}

function refuse(res: Response, reason: string): void {
  res
    .status(400)
    .json({ statusCode: 400, error: 'Bad Request', errors: [{ path: 'url', reason }] });
}
