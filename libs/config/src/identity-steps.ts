import { ConfigError } from './env-reader';

/**
 * Benchmark-only: `SOC_BENCH_IDENTITY_STEPS=true` makes ingest, the correlator and the
 * projector replace their business step (normalization, correlation and scoring, the read-model
 * fold) with an identity, keeping the same Kafka transactions, Avro and row writes. The
 * pipeline bench's `--null` run uses it to measure what the transport alone allows. Never set
 * it in production: the incidents it writes are one per alert, uncorrelated and unscored.
 */
export const IDENTITY_STEPS_VARIABLE = 'SOC_BENCH_IDENTITY_STEPS';

/** Read once at start-up; anything but unset, `true` or `false` stops the service. */
export function identityStepsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[IDENTITY_STEPS_VARIABLE]?.trim();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError([`${IDENTITY_STEPS_VARIABLE}: expected true or false, got '${raw}'`]);
}
