import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

const PINO_LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through the app's pino logger, so broker trouble shows up in the same JSON. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, namespace, log }: LogEntry) => {
      const { message, ...fields } = log;
      logger[PINO_LEVEL[level] ?? 'info']({ kafkajs: namespace, ...fields }, message);
    };
}

export function createKafka(brokers: readonly string[], clientId: string, logger: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
