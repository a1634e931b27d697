import type { Indicator } from './indicators';
import { urlHost } from './indicators';
import { ipInRange, parseCidr, parseIp, type IpRange } from './ip-address';

/**
 * Ranges never sent to an outside provider: a lookup there leaks the tenant's network layout
 * and can only answer "unknown". IANA special-purpose registries (RFC 6890 and successors).
 */
const SPECIAL_PURPOSE = [
  ['0.0.0.0/8', 'this network'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation'],
  ['100::/64', 'discard-only'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique local'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
] as const;

const SPECIAL_RANGES: readonly { range: IpRange; label: string }[] = SPECIAL_PURPOSE.map(
  ([cidr, label]) => ({ range: parseCidr(cidr) as IpRange, label }),
);

/** What a tenant keeps to itself: its own domains, and an allowlist of values, CIDRs or domains. */
export interface NeverSendPolicy {
  /** A domain here covers its subdomains and URLs on them. */
  readonly ownDomains: readonly string[];
  /** Exact indicator values, CIDR ranges (for IPs), or domains (covering subdomains and URLs). */
  readonly allowlist: readonly string[];
}

export const EMPTY_NEVER_SEND: NeverSendPolicy = { ownDomains: [], allowlist: [] };

const coversDomain = (parent: string, domain: string): boolean => {
  const folded = parent.toLowerCase().replace(/^\*?\./, '');
  return domain === folded || domain.endsWith(`.${folded}`);
};

function specialPurposeReason(value: string): string | undefined {
  const ip = parseIp(value);
  if (ip === undefined) return undefined;
  const hit = SPECIAL_RANGES.find(({ range }) => ipInRange(ip, range));
  return hit === undefined ? undefined : `${hit.label} address (${hit.range.cidr})`;
}

function domainOf(indicator: Indicator): string | undefined {
  if (indicator.kind === 'domain') return indicator.value;
  if (indicator.kind === 'url') return urlHost(indicator.value)?.toLowerCase();
  return undefined;
}

function allowlistReason(indicator: Indicator, allowlist: readonly string[]): string | undefined {
  const ip = indicator.kind === 'ip' ? parseIp(indicator.value) : undefined;
  const domain = domainOf(indicator);
  for (const entry of allowlist) {
    if (entry.toLowerCase() === indicator.value.toLowerCase()) return `allowlisted (${entry})`;
    const range = ip === undefined ? undefined : parseCidr(entry);
    if (ip !== undefined && range !== undefined && ipInRange(ip, range))
      return `allowlisted (${entry})`;
    if (domain !== undefined && !entry.includes('/') && coversDomain(entry, domain))
      return `allowlisted (${entry})`;
  }
  return undefined;
}

/**
 * Why an indicator must never leave for an outside provider, or null when it may. Local feed
 * matching is not sending, so these rules apply to remote lookups only. An IP in a URL's host
 * counts as that IP.
 */
export function neverSendReason(indicator: Indicator, policy: NeverSendPolicy): string | null {
  const host = domainOf(indicator);
  const address = indicator.kind === 'ip' ? indicator.value : host?.replace(/^\[(.*)\]$/, '$1');
  const special = address === undefined ? undefined : specialPurposeReason(address);
  if (special !== undefined) return special;
  if (host !== undefined) {
    const own = policy.ownDomains.find((parent) => coversDomain(parent, host));
    if (own !== undefined) return `the tenant's own domain (${own})`;
  }
  return allowlistReason(indicator, policy.allowlist) ?? null;
}
