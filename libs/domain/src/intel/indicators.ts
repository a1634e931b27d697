import type {
  AlertEntity,
  CanonicalAlert,
  HashAlgorithm,
  IntelIndicatorKind,
} from '@soc/contracts';
import { formatIp, parseIp } from './ip-address';

/** An observable worth a threat-intel lookup, in the canonical text providers and feeds use. */
export interface Indicator {
  readonly kind: IntelIndicatorKind;
  readonly value: string;
  /** Set for file hashes: which lookup path and which feed column it matches. */
  readonly hashAlgorithm: HashAlgorithm | null;
}

const HASH_LENGTHS: Readonly<Record<number, HashAlgorithm>> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
};
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export const indicatorKey = (indicator: Pick<Indicator, 'kind' | 'value'>): string =>
  `${indicator.kind}:${indicator.value}`;

/** The hash algorithm a hex digest's length says, or undefined when it is not a digest. */
export function hashAlgorithmOf(value: string): HashAlgorithm | undefined {
  return /^[0-9a-f]+$/i.test(value) ? HASH_LENGTHS[value.length] : undefined;
}

/**
 * Canonical form of one indicator: addresses as parsed (IPv4-mapped IPv6 as IPv4), domains
 * and hashes in lower case without a trailing dot, URLs with a lower-case scheme and authority.
 * Undefined for a value that is not an indicator of that kind.
 */
export function canonicalIndicator(kind: IntelIndicatorKind, raw: string): Indicator | undefined {
  const text = raw.trim();
  switch (kind) {
    case 'ip': {
      const ip = parseIp(text);
      return ip === undefined ? undefined : { kind, value: formatIp(ip), hashAlgorithm: null };
    }
    case 'domain': {
      const value = text.toLowerCase().replace(/\.$/, '');
      return DOMAIN.test(value) ? { kind, value, hashAlgorithm: null } : undefined;
    }
    case 'url': {
      if (!URL_SCHEME.test(text) || urlHost(text) === undefined) return undefined;
      const schemeEnd = text.indexOf('://') + 3;
      const authority = text.slice(schemeEnd).split(/[/?#]/, 1)[0] ?? '';
      const rest = text.slice(schemeEnd + authority.length);
      const value = `${text.slice(0, schemeEnd + authority.length).toLowerCase()}${rest}`;
      return { kind, value, hashAlgorithm: null };
    }
    case 'file_hash': {
      const value = text.toLowerCase();
      const algorithm = hashAlgorithmOf(value);
      return algorithm === undefined ? undefined : { kind, value, hashAlgorithm: algorithm };
    }
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/** The host part of a URL (with userinfo and port removed), as written. */
export function urlHost(url: string): string | undefined {
  const afterScheme = url.slice(url.indexOf('://') + 3);
  const authority = afterScheme.split(/[/?#]/, 1)[0] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const bare = host.startsWith('[')
    ? host.slice(0, host.indexOf(']') + 1)
    : host.replace(/:\d*$/, '');
  return bare.length > 0 ? bare : undefined;
}

const KIND_OF_ENTITY: Partial<Record<AlertEntity['type'], IntelIndicatorKind>> = {
  ip: 'ip',
  domain: 'domain',
  url: 'url',
  file_hash: 'file_hash',
};

/** Guesses the kind of a bare value from a feed line: address, hash, URL, or domain. */
export function detectIndicator(raw: string): Indicator | undefined {
  const text = raw.trim();
  for (const kind of ['ip', 'file_hash', 'url', 'domain'] as const) {
    const indicator = canonicalIndicator(kind, text);
    if (indicator !== undefined) return indicator;
  }
  return undefined;
}

/**
 * The indicators of an alert, from its entities: IPs, domains, URLs and file hashes, each
 * once, in entity order. Entities that do not parse as their kind are left out.
 */
export function extractIndicators(alert: Pick<CanonicalAlert, 'entities'>): Indicator[] {
  const seen = new Set<string>();
  const indicators: Indicator[] = [];
  for (const entity of alert.entities) {
    const kind = KIND_OF_ENTITY[entity.type];
    if (kind === undefined) continue;
    const indicator = canonicalIndicator(kind, entity.value);
    if (indicator === undefined || seen.has(indicatorKey(indicator))) continue;
    seen.add(indicatorKey(indicator));
    indicators.push(indicator);
  }
  return indicators;
}
