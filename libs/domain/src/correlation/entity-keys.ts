import type { AlertEntity, AlertSummary } from '@soc/contracts';

/**
 * The interned key of an entity: `type:value`. Values arrive normalized (lower-cased hosts,
 * domains, hashes), so equal entities have equal keys and one Map lookup finds them.
 */
export const entityKey = (entity: Pick<AlertEntity, 'type' | 'value'>): string =>
  `${entity.type}:${entity.value}`;

/** The rule an alert fired: its id, else its name, else its title. */
export const ruleLabelOf = (alert: Pick<AlertSummary, 'ruleId' | 'ruleName' | 'title'>): string =>
  alert.ruleId ?? alert.ruleName ?? `title:${alert.title}`;

export interface KeyedEntity {
  readonly key: string;
  readonly entity: AlertEntity;
}

/** What correlation derives from an alert's entities and rule, computed once per alert. */
export interface AlertKeys {
  /** Distinct entities with their keys, in the alert's order. */
  readonly entities: readonly KeyedEntity[];
  /** The same keys alone (a repeat series keeps them). */
  readonly entityKeys: readonly string[];
  /**
   * The same rule on the same set of entities (all of them, linking or not, in a canonical
   * order). It also links alerts like an entity does: repeats of one rule on an allowlisted
   * address still fold into one incident.
   */
  readonly repeatKey: string;
}

type KeyedAlert = Pick<AlertSummary, 'ruleId' | 'ruleName' | 'title' | 'entities'>;

/**
 * The keys of an alert. Computed once per alert input and handed to the fold with the
 * decision's outputs (see `evolveCorrelation`); a replayed event recomputes the same value.
 */
export function alertKeysOf(alert: KeyedAlert): AlertKeys {
  const entities: KeyedEntity[] = [];
  const entityKeys: string[] = [];
  // Most alerts name a handful of entities: scanning the keys so far costs less than a Set.
  const seen = alert.entities.length > SCANNED_ENTITIES ? new Set<string>() : null;
  for (const entity of alert.entities) {
    const key = entityKey(entity);
    if (seen === null ? entityKeys.includes(key) : seen.has(key)) continue;
    seen?.add(key);
    entities.push({ key, entity });
    entityKeys.push(key);
  }
  const rule = ruleLabelOf(alert);
  const repeatKey =
    entityKeys.length < 2
      ? `repeat|${rule}|${entityKeys[0] ?? ''}`
      : `repeat|${rule}|${sortedKeys(entityKeys).join(',')}`;
  return { entities, entityKeys, repeatKey };
}

/** Up to this many entities an alert's keys are deduplicated and sorted by scanning. */
const SCANNED_ENTITIES = 16;

/** A sorted copy, in code-unit order as `sort()` gives; a few keys by insertion. */
function sortedKeys(keys: readonly string[]): string[] {
  if (keys.length > SCANNED_ENTITIES) return keys.slice().sort();
  const sorted = keys.slice();
  for (let i = 1; i < sorted.length; i += 1) {
    const key = sorted[i] as string;
    let at = i;
    for (; at > 0 && (sorted[at - 1] as string) > key; at -= 1)
      sorted[at] = sorted[at - 1] as string;
    sorted[at] = key;
  }
  return sorted;
}
