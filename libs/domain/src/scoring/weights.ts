import { SCORE_FACTOR_NAMES, isObject, isOneOf, type ScoreFactorName } from '@soc/contracts';

/** One weight per factor; non-negative and summing to 1, so the priority stays on 0-100. */
export type ScoreWeights = { readonly [F in ScoreFactorName]: number };

export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = {
  severity: 0.3,
  business_context: 0.25,
  threat_intel: 0.2,
  confidence: 0.15,
  freshness: 0.1,
};

/**
 * The weights one incident is scored with, in factor order: the configured weights, with the weight of each factor that has no evidence in this
 * incident handed to the evidence factors that have, in proportion to theirs; freshness (a
 * matter of time, not evidence) keeps its own weight. So the weights still sum to 1, and a
 * missing factor neither lifts nor drags the priority towards a made-up middle.
 */
export function spreadOverEvidence(
  raw: readonly (number | null)[],
  weights: ScoreWeights,
): number[] {
  let present = 0;
  let absent = 0;
  SCORE_FACTOR_NAMES.forEach((name, index) => {
    if (name === 'freshness') return;
    if (raw[index] === null) absent += weights[name];
    else present += weights[name];
  });
  return SCORE_FACTOR_NAMES.map((name, index) => {
    if (name === 'freshness') return weights[name];
    if (raw[index] === null || present === 0) return 0;
    return weights[name] * (1 + absent / present);
  });
}

/** How far the weights may sum away from 1 (decimal fractions such as 0.1 are inexact). */
export const WEIGHT_SUM_EPSILON = 1e-6;

/** A configuration error with the path of the offending field (`tenants.acme.windowMs`). */
export interface ConfigFieldError {
  readonly path: string;
  readonly message: string;
}

export type WeightsResult =
  | { readonly ok: true; readonly weights: ScoreWeights }
  | { readonly ok: false; readonly errors: readonly ConfigFieldError[] };

/**
 * Validates a weights object. Missing factors take their value from `base` (the defaults or
 * the tenant's parent policy), so an override may name only the factors it changes, but the
 * merged result must still be non-negative and sum to 1.
 */
export function parseScoreWeights(
  value: unknown,
  path = 'weights',
  base: ScoreWeights = DEFAULT_SCORE_WEIGHTS,
): WeightsResult {
  if (!isObject(value)) {
    return { ok: false, errors: [{ path, message: 'must be an object of factor weights' }] };
  }
  const errors: ConfigFieldError[] = [];
  const record = value;
  for (const key of Object.keys(record)) {
    if (!isOneOf(SCORE_FACTOR_NAMES, key)) {
      errors.push({
        path: `${path}.${key}`,
        message: `unknown factor; expected one of ${SCORE_FACTOR_NAMES.join(', ')}`,
      });
    }
  }
  const weights = { ...base } as { [F in ScoreFactorName]: number };
  for (const name of SCORE_FACTOR_NAMES) {
    const given = record[name];
    if (given === undefined) continue;
    if (typeof given !== 'number' || !Number.isFinite(given) || given < 0) {
      errors.push({ path: `${path}.${name}`, message: 'must be a non-negative number' });
      continue;
    }
    weights[name] = given;
  }
  if (errors.length === 0) {
    const sum = SCORE_FACTOR_NAMES.reduce((total, name) => total + weights[name], 0);
    if (Math.abs(sum - 1) > WEIGHT_SUM_EPSILON) {
      errors.push({ path, message: `weights must sum to 1 (got ${Number(sum.toFixed(6))})` });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, weights };
}
