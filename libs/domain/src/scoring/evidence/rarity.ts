import type { EpochMs } from '@soc/contracts';
import { addDecayed, decayedAt, newDecayedCount, type DecayedCount } from './decayed-count';
import { keepsRhythm, newRhythm, noteFiring, type Rhythm } from './rhythm';

/** One rule on one entity: how often (decayed) and on what rhythm. */
interface PairMemory extends Rhythm {
  readonly count: DecayedCount;
}

/**
 * A tenant's baseline of what is usual, learned online from its own alerts: how often each
 * rule fires on each entity, how many alerts each entity and each rule has, and how many the
 * tenant has, all decaying. Plain Maps, bounded by `maxKeys` each: the least recently seen
 * keys are evicted first, deterministically.
 */
export interface RarityBaseline {
  readonly halfLifeMs: number;
  /** Event time of the earliest firing learned; Infinity before any. */
  firstSeen: EpochMs;
  readonly maxKeys: number;
  readonly total: DecayedCount;
  readonly entities: Map<string, DecayedCount>;
  readonly rules: Map<string, DecayedCount>;
  readonly pairs: Map<string, PairMemory>;
}

/** Counts halve every 7 days of event time; 20,000 keys per map (a few MB per tenant). */
export const RARITY_HALF_LIFE_MS = 7 * 24 * 3_600_000;
export const RARITY_MAX_KEYS = 20_000;
/** An alert's entities read and counted: the first few (the hosts and users come first). */
export const RARITY_MAX_ENTITIES = 4;
/**
 * A baseline younger than this (event time since the tenant's first alert) has not seen a
 * day's cycle yet: its surprise is weighed by its age, so a new tenant's first hours do not
 * claim that everything is rare.
 */
export const BASELINE_MATURITY_MS = 24 * 3_600_000;

/** 0 (no history) to 1 (a day or more of history): how far the baseline's rarity is trusted. */
export function baselineMaturity(baseline: RarityBaseline, time: EpochMs): number {
  if (baseline.firstSeen === Infinity) return 0;
  return Math.min(1, Math.max(0, (time - baseline.firstSeen) / BASELINE_MATURITY_MS));
}

export const newRarityBaseline = (
  halfLifeMs = RARITY_HALF_LIFE_MS,
  maxKeys = RARITY_MAX_KEYS,
): RarityBaseline => ({
  halfLifeMs,
  firstSeen: Infinity,
  maxKeys,
  total: newDecayedCount(),
  entities: new Map(),
  rules: new Map(),
  pairs: new Map(),
});

/** What the baseline is asked about and told: one rule firing on some entities at a time. */
export interface RuleFiring {
  readonly rule: string;
  readonly entityKeys: readonly string[];
  readonly time: EpochMs;
}

/** How unusual a firing is, with the counts the explanation quotes. */
export interface FiringRarity {
  /**
   * Surprise in nats of the rule on its most surprising entity, given that entity's history:
   * `-ln((rule on entity before + 1) / (alerts on entity before + 1))`, a third of it when
   * the rule keeps its rhythm there, times the baseline's maturity. 0 for an entity without
   * history: no baseline is no evidence either way.
   */
  readonly surprise: number;
  /** The same surprise before the maturity weighed it. */
  readonly unweighedSurprise: number;
  /** See baselineMaturity. */
  readonly maturity: number;
  /**
   * Surprise in nats of the rule in the whole tenant, `-ln((rule before + 1) / (alerts
   * before + 1))`, times the maturity: a rule rare everywhere, not only on this entity.
   */
  readonly tenantSurprise: number;
  readonly entityKey: string | null;
  /** Decayed counts, before this firing. */
  readonly ruleOnEntity: number;
  readonly entityAlerts: number;
  readonly ruleInTenant: number;
  readonly tenantAlerts: number;
  readonly routine: boolean;
}

const pairKey = (entityKey: string, rule: string): string => `${entityKey}\u0000${rule}`;
const ROUTINE_DISCOUNT = 1 / 3;

/** Reads the baseline; never changes it. */
export function rarityOf(baseline: RarityBaseline, firing: RuleFiring): FiringRarity {
  const { halfLifeMs } = baseline;
  const { rule, time } = firing;
  // The most surprising entity so far, in locals: this runs for every alert row, twice.
  let unweighedSurprise = 0;
  let entityKey: string | null = null;
  let ruleOnEntity = 0;
  let entityAlerts = 0;
  let routine = false;
  const entities = Math.min(firing.entityKeys.length, RARITY_MAX_ENTITIES);
  for (let i = 0; i < entities; i += 1) {
    const key = firing.entityKeys[i] as string;
    const pair = baseline.pairs.get(pairKey(key, rule));
    const onEntity = decayedAt(pair?.count, time, halfLifeMs);
    const alerts = decayedAt(baseline.entities.get(key), time, halfLifeMs);
    const keeps = keepsRhythm(pair, time);
    const raw = -Math.log((onEntity + 1) / (alerts + 1));
    const surprise = Math.max(0, keeps ? raw * ROUTINE_DISCOUNT : raw);
    if (entityKey === null || surprise > unweighedSurprise) {
      unweighedSurprise = surprise;
      entityKey = key;
      ruleOnEntity = onEntity;
      entityAlerts = alerts;
      routine = keeps;
    }
  }
  const maturity = baselineMaturity(baseline, time);
  const ruleInTenant = decayedAt(baseline.rules.get(rule), time, halfLifeMs);
  const tenantAlerts = decayedAt(baseline.total, time, halfLifeMs);
  return {
    surprise: unweighedSurprise * maturity,
    unweighedSurprise,
    maturity,
    tenantSurprise: maturity * Math.max(0, -Math.log((ruleInTenant + 1) / (tenantAlerts + 1))),
    entityKey,
    ruleOnEntity,
    entityAlerts,
    ruleInTenant,
    tenantAlerts,
    routine,
  };
}

function counted<V>(map: Map<string, V>, key: string, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** One rule firing on some entities at several times: a row, or a counted repeat series. */
export interface RuleFirings {
  readonly rule: string;
  readonly entityKeys: readonly string[];
  readonly times: readonly EpochMs[];
}

/** Folds one firing into the baseline, in place. */
export const observeFiring = (baseline: RarityBaseline, firing: RuleFiring): void =>
  observeFirings(baseline, {
    rule: firing.rule,
    entityKeys: firing.entityKeys,
    times: [firing.time],
  });

/**
 * Folds firings of one rule on one set of entities into the baseline, in place. Each count is
 * looked up once for all the times (a repeat series brings hundreds), and the maps are
 * bounded once at the end.
 */
export function observeFirings(baseline: RarityBaseline, firings: RuleFirings): void {
  const { halfLifeMs } = baseline;
  const { rule, times } = firings;
  if (times.length === 0) return;
  const ruleCount = counted(baseline.rules, rule, newDecayedCount);
  for (const time of times) {
    if (time < baseline.firstSeen) baseline.firstSeen = time;
    addDecayed(baseline.total, time, 1, halfLifeMs);
    addDecayed(ruleCount, time, 1, halfLifeMs);
  }
  const entities = Math.min(firings.entityKeys.length, RARITY_MAX_ENTITIES);
  for (let i = 0; i < entities; i += 1) {
    const entityKey = firings.entityKeys[i] as string;
    const entityCount = counted(baseline.entities, entityKey, newDecayedCount);
    const pair = counted(baseline.pairs, pairKey(entityKey, rule), newPairMemory);
    for (const time of times) {
      addDecayed(entityCount, time, 1, halfLifeMs);
      addDecayed(pair.count, time, 1, halfLifeMs);
      noteFiring(pair, time);
    }
  }
  const { maxKeys } = baseline;
  if (baseline.rules.size > maxKeys) evictStalest(baseline.rules, maxKeys, (c) => c.at);
  if (baseline.entities.size > maxKeys) evictStalest(baseline.entities, maxKeys, (c) => c.at);
  if (baseline.pairs.size > maxKeys) evictStalest(baseline.pairs, maxKeys, (p) => p.count.at);
}

const newPairMemory = (): PairMemory => ({ ...newRhythm(), count: newDecayedCount() });

/** Drops the least recently touched tenth beyond `maxKeys` (ties by key), so eviction is rare. */
function evictStalest<V>(
  map: Map<string, V>,
  maxKeys: number,
  touched: (value: V) => number,
): void {
  const keep = Math.floor(maxKeys * 0.9);
  const entries = [...map].sort(
    ([keyA, a], [keyB, b]) => touched(a) - touched(b) || (keyA < keyB ? -1 : 1),
  );
  for (let i = 0; i < entries.length - keep; i += 1) map.delete((entries[i] as [string, V])[0]);
}
