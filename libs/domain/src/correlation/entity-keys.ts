import type { AlertEntity, AlertSummary } from '@soc/contracts';

/**
 * The interned key of an entity: `type:value`. Values arrive normalized (lower-cased hosts,
 * domains, hashes), so equal entities have equal keys and one Map lookup finds them.
 */
export const entityKey = (entity: Pick<AlertEntity, 'type' | 'value'>): string => `${entity.type}:${entity.value}`;

/** The rule an alert fired: its id, else its name, else its title. */
export const ruleLabelOf = (alert: Pick<AlertSummary, 'ruleId' | 'ruleName' | 'title'>): string =>
  alert.ruleId ?? alert.ruleName ?? `title:${alert.title}`;

/**
 * The repeat key: the same rule on the same set of entities (all of them, linking or not, in
 * a canonical order). Derived from the alert alone, so a replay derives the same keys without
 * the configuration. It also links alerts like an entity does: repeats of one rule on an
 * allowlisted address still fold into one incident.
 */
export function repeatKeyOf(alert: Pick<AlertSummary, 'ruleId' | 'ruleName' | 'title' | 'entities'>): string {
  const { entities } = alert;
  const rule = ruleLabelOf(alert);
  if (entities.length === 0) return `repeat|${rule}|`;
  if (entities.length === 1) return `repeat|${rule}|${entityKey(entities[0] as AlertEntity)}`;
  const keys = entities.map(entityKey);
  keys.sort();
  let joined = keys[0] as string;
  for (let i = 1; i < keys.length; i += 1) {
    if (keys[i] !== keys[i - 1]) joined += `,${keys[i] as string}`;
  }
  return `repeat|${rule}|${joined}`;
}

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
