import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One structured JSON logger per process. Context fields (tenant, incident, topic, partition,
 * offset) go in child loggers, never in message strings.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
