/**
 * Start-up calls against a broker that is still settling: a leader election after a restart
 * (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE), metadata that lags behind a topic just
 * created (UNKNOWN_TOPIC_OR_PARTITION), a group or transaction coordinator not loaded yet.
 * kafkajs marks such errors `retriable`, but several admin calls (fetchTopicOffsets among them)
 * give them up at once, and a service that exits on the first one needs a restart to come up.
 */

export interface StartUpRetryOptions {
  /** Names the call in the warning logged before each retry. */
  readonly describe: string;
  readonly logger?: { warn(fields: object, message: string): void };
  /** Tries in all, the first one included. */
  readonly attempts?: number;
  /** The delay before the second try; it doubles, up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Waits between tries; a test passes one that records the delays. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS = { attempts: 10, initialDelayMs: 200, maxDelayMs: 5_000 } as const;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * True for an error kafkajs marks `retriable`, also when it comes wrapped: kafkajs's own retry
 * loop, once exhausted, throws a non-retriable KafkaJSNumberOfRetriesExceeded whose `cause` is
 * the retriable error it kept getting. Anything else (a bad configuration, a partition count
 * that disagrees, a bug) is not retried.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  for (let current = error, depth = 0; depth < 5; depth += 1) {
    if (typeof current !== 'object' || current === null) return false;
    const { retriable, name, cause } = current as {
      readonly retriable?: unknown;
      readonly name?: unknown;
      readonly cause?: unknown;
    };
    if (retriable === true) return true;
    if (name !== 'KafkaJSNumberOfRetriesExceeded') return false;
    current = cause;
  }
  return false;
}

/** Runs a start-up call, retrying retriable Kafka errors with exponential backoff. */
export async function retryKafkaStartUp<T>(
  call: () => Promise<T>,
  options: StartUpRetryOptions,
): Promise<T> {
  const attempts = options.attempts ?? DEFAULTS.attempts;
  const maxDelayMs = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
  let delayMs = options.initialDelayMs ?? DEFAULTS.initialDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isRetriableKafkaError(error)) throw error;
      options.logger?.warn(
        { err: error, call: options.describe, attempt, retryInMs: delayMs },
        'retriable Kafka error at start-up, retrying',
      );
      await (options.sleep ?? wait)(delayMs);
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    }
  }
}
