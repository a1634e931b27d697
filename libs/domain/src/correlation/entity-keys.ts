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

/** What correlation derives from an alert's entities and rule, computed once per alert. */
export interface AlertKeys {
  /** Distinct entities, in the alert's order, and their keys index for index. */
  readonly entities: readonly AlertEntity[];
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
 * A memo, not state: the decider derives an alert's keys and `evolveCorrelation` folds the
 * same alert object right after, so the strings are built once. Keyed weakly by the alert
 * object; a replayed event simply misses and recomputes the same value.
 */
const keysMemo = new WeakMap<KeyedAlert, AlertKeys>();

export function alertKeysOf(alert: KeyedAlert): AlertKeys {
  const memo = keysMemo.get(alert);
  if (memo !== undefined) return memo;
  const entities: AlertEntity[] = [];
  const entityKeys: string[] = [];
  for (const entity of alert.entities) {
    const key = entityKey(entity);
    if (entityKeys.includes(key)) continue;
    entities.push(entity);
    entityKeys.push(key);
  }
  const rule = ruleLabelOf(alert);
  let repeatKey: string;
  if (entityKeys.length < 2) repeatKey = `repeat|${rule}|${entityKeys[0] ?? ''}`;
  else {
    const sorted = entityKeys.slice().sort();
    repeatKey = `repeat|${rule}|${sorted.join(',')}`;
  }
  const keys: AlertKeys = { entities, entityKeys, repeatKey };
  keysMemo.set(alert, keys);
  return keys;
}

/** The repeat key of an alert: see AlertKeys.repeatKey. */
export const repeatKeyOf = (alert: KeyedAlert): string => alertKeysOf(alert).repeatKey;

export interface Ipv4Network {
  readonly base: number;
  readonly mask: number;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit number, or undefined. */
export function parseIpv4(value: string): number | undefined {
  let result = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      result = result * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits += 1;
      if (octet > 255 || digits > 3) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return result * 256 + octet;
}

/** `10.0.0.0/8` to its base and mask; undefined when malformed. */
export function parseIpv4Cidr(cidr: string): Ipv4Network | undefined {
  const slash = cidr.indexOf('/');
  const address = parseIpv4(slash < 0 ? cidr : cidr.slice(0, slash));
  const bitsText = slash < 0 ? '32' : cidr.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (address & mask) >>> 0, mask };
}
