import type { AlertEntity, HashAlgorithm, IpRole } from '@soc/contracts';

/**
 * Entity normalization, shared by every format. The rules make equal entities equal strings:
 * - hosts, domains, hashes, e-mails and users are trimmed and lower-cased; hosts and domains
 *   lose a trailing dot; a user with a separate domain becomes `domain\name`;
 * - IPs are validated and written canonically (IPv4 dotted decimal without leading zeros,
 *   IPv6 per RFC 5952, zone ids dropped); every IP carries a role;
 * - a file hash gets its algorithm from its length (32 md5, 40 sha1, 64 sha256); other
 *   lengths and non-hex values are dropped;
 * - blanks and placeholders (`-`, `n/a`, `none`, `null`, `unknown`, `(no user)`) are dropped;
 * - duplicates (same type, value, role) are dropped, keeping the first occurrence's order.
 * Processes, URLs and cloud resource ids keep their case (paths and ARNs are case-sensitive).
 */
export class EntityBag {
  private readonly items: AlertEntity[] = [];
  private readonly seen = new Set<string>();

  get entities(): readonly AlertEntity[] {
    return this.items;
  }

  host(value: unknown): void {
    const v = clean(value);
    if (v === undefined) return;
    const host = stripTrailingDot(v.toLowerCase());
    if (host.length === 0 || host.length > 255 || hasBlank(host)) return;
    const ip = canonicalIp(host);
    // A host field holding an address is an address; its role is not known here.
    if (ip !== undefined) return;
    this.push('host', host, null, null);
  }

  /** A host-like value that may be an IP (CIM `src`/`dest`, CEF `shost` with an address). */
  hostOrIp(value: unknown, role: IpRole): void {
    const v = clean(value);
    if (v === undefined) return;
    if (canonicalIp(v) !== undefined) this.ip(v, role);
    else this.host(v);
  }

  user(name: unknown, domain?: unknown): void {
    const v = clean(name);
    if (v === undefined) return;
    const d = clean(domain);
    const user = d !== undefined && !v.includes('\\') && !v.includes('@') ? `${d}\\${v}` : v;
    this.push('user', user.toLowerCase(), null, null);
  }

  ip(value: unknown, role: IpRole): void {
    const v = clean(value);
    if (v === undefined) return;
    const ip = canonicalIp(v);
    if (ip !== undefined) this.push('ip', ip, role, null);
  }

  hash(value: unknown): void {
    const v = clean(value);
    if (v === undefined) return;
    const hash = v.toLowerCase();
    const algorithm = hashAlgorithm(hash);
    if (algorithm !== null) this.push('file_hash', hash, null, algorithm);
  }

  domain(value: unknown): void {
    const v = clean(value);
    if (v === undefined) return;
    const domain = stripTrailingDot(v.toLowerCase());
    if (domain.length === 0 || domain.length > 253 || hasBlank(domain)) return;
    if (canonicalIp(domain) !== undefined) return;
    this.push('domain', domain, null, null);
  }

  /** A domain-or-address field (DNS answer, HTTP host, TLS SNI). */
  domainOrIp(value: unknown, role: IpRole): void {
    const v = clean(value);
    if (v === undefined) return;
    if (canonicalIp(v) !== undefined) this.ip(v, role);
    else this.domain(v);
  }

  url(value: unknown): void {
    const v = clean(value);
    if (v === undefined || v.length > 8192) return;
    this.push('url', lowerSchemeAndHost(v), null, null);
  }

  process(value: unknown): void {
    const v = clean(value);
    if (v !== undefined && v.length <= 1024) this.push('process', v, null, null);
  }

  email(value: unknown): void {
    const v = clean(value);
    if (v === undefined) return;
    const email = v.toLowerCase();
    const atSign = email.indexOf('@');
    if (
      atSign < 1 ||
      atSign !== email.lastIndexOf('@') ||
      atSign === email.length - 1 ||
      hasBlank(email)
    )
      return;
    this.push('email', email, null, null);
  }

  cloudResource(value: unknown): void {
    const v = clean(value);
    if (v === undefined || v.length > 2048) return;
    if (canonicalIp(v) !== undefined) return;
    this.push('cloud_resource', v, null, null);
  }

  /** A resource id that may be an address (an affected asset's IP) or a cloud resource. */
  hostOrIpOrResource(value: unknown): void {
    const v = clean(value);
    if (v === undefined) return;
    if (canonicalIp(v) !== undefined) this.ip(v, 'destination');
    else this.cloudResource(v);
  }

  /** An untyped value: kept only when it is an IP address. */
  ipIfAddress(value: unknown, role: IpRole): void {
    const v = clean(value);
    if (v !== undefined && canonicalIp(v) !== undefined) this.ip(v, role);
  }

  private push(
    type: AlertEntity['type'],
    value: string,
    role: IpRole | null,
    hashAlgorithm: HashAlgorithm | null,
  ): void {
    const key = `${type}\u0000${role ?? ''}\u0000${value}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ type, value, role, hashAlgorithm });
  }
}

const PLACEHOLDERS = new Set([
  '-',
  '--',
  'n/a',
  'na',
  'none',
  'null',
  'nil',
  'unknown',
  '(no user)',
  '(null)',
  'undefined',
]);

function clean(value: unknown): string | undefined {
  let v: string;
  if (typeof value === 'string') v = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) v = String(value);
  else return undefined;
  if (v.length === 0 || v.length > 8192) return undefined;
  if (v.length <= 9 && PLACEHOLDERS.has(v.toLowerCase())) return undefined;
  return v;
}

const stripTrailingDot = (value: string): string =>
  value.endsWith('.') ? value.slice(0, -1) : value;

function hasBlank(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c <= 32 || c === 127) return true;
  }
  return false;
}

/** The algorithm a hex digest of this length implies, or null (other length, not hex). */
export function hashAlgorithm(hash: string): HashAlgorithm | null {
  const length = hash.length;
  if (length !== 32 && length !== 40 && length !== 64) return null;
  for (let i = 0; i < length; i += 1) {
    const c = hash.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (!hex) return null;
  }
  return length === 32 ? 'md5' : length === 40 ? 'sha1' : 'sha256';
}

/** Lower-cases `scheme://authority` and leaves path, query and fragment as they were. */
function lowerSchemeAndHost(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0 || schemeEnd > 16) return url;
  let end = schemeEnd + 3;
  while (end < url.length) {
    const c = url[end];
    if (c === '/' || c === '?' || c === '#') break;
    end += 1;
  }
  // Userinfo (`user:pass@`) keeps its case; only the host part is folded.
  const authority = url.slice(schemeEnd + 3, end);
  const atSign = authority.lastIndexOf('@');
  const folded =
    atSign < 0
      ? authority.toLowerCase()
      : authority.slice(0, atSign + 1) + authority.slice(atSign + 1).toLowerCase();
  return url.slice(0, schemeEnd).toLowerCase() + '://' + folded + url.slice(end);
}

// --- IP addresses -------------------------------------------------------------------------

/** Canonical text of an IPv4 or IPv6 address, or undefined when the value is not one. */
export function canonicalIp(value: string): string | undefined {
  if (value.length < 2 || value.length > 64) return undefined;
  if (value.indexOf(':') < 0) return canonicalIpv4(value);
  let v = value;
  if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
  const zone = v.indexOf('%');
  if (zone >= 0) v = v.slice(0, zone);
  return canonicalIpv6(v);
}

function ipv4Octets(value: string): number[] | undefined {
  const octets: number[] = [];
  let current = -1;
  let digitsInPart = 0;
  for (let i = 0; i <= value.length; i += 1) {
    const c = i < value.length ? value.charCodeAt(i) : 46;
    if (c === 46) {
      if (digitsInPart === 0 || current > 255 || octets.length === 4) return undefined;
      octets.push(current);
      current = -1;
      digitsInPart = 0;
    } else if (c >= 48 && c <= 57) {
      // A leading zero (`010`) is ambiguous (octal in some parsers): refused.
      if (digitsInPart === 1 && current === 0) return undefined;
      current = (current < 0 ? 0 : current) * 10 + (c - 48);
      digitsInPart += 1;
      if (digitsInPart > 3) return undefined;
    } else {
      return undefined;
    }
  }
  return octets.length === 4 ? octets : undefined;
}

function canonicalIpv4(value: string): string | undefined {
  const octets = ipv4Octets(value);
  return octets === undefined ? undefined : octets.join('.');
}

function canonicalIpv6(value: string): string | undefined {
  const groups = ipv6Groups(value);
  if (groups === undefined) return undefined;
  // IPv4-mapped (::ffff:a.b.c.d) keeps its dotted tail, as RFC 5952 section 5 recommends.
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    const hi = groups[6] as number;
    const lo = groups[7] as number;
    return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

function ipv6Groups(value: string): number[] | undefined {
  const doubleColon = value.indexOf('::');
  if (doubleColon >= 0 && value.indexOf('::', doubleColon + 1) >= 0) return undefined;
  const headText = doubleColon >= 0 ? value.slice(0, doubleColon) : value;
  const tailText = doubleColon >= 0 ? value.slice(doubleColon + 2) : '';
  const head = parseHextets(headText, doubleColon < 0);
  const tail = doubleColon >= 0 ? parseHextets(tailText, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const present = head.length + tail.length;
  if (doubleColon < 0) return present === 8 ? head : undefined;
  if (present > 7) return undefined;
  const zeros: number[] = new Array<number>(8 - present).fill(0);
  return [...head, ...zeros, ...tail];
}

/** Colon-separated hextets; the last part may be a dotted IPv4 when `allowV4Tail`. */
function parseHextets(text: string, allowV4Tail: boolean): number[] | undefined {
  if (text.length === 0) return [];
  const parts = text.split(':');
  const out: number[] = [];
  for (let p = 0; p < parts.length; p += 1) {
    const part = parts[p] as string;
    if (allowV4Tail && p === parts.length - 1 && part.indexOf('.') >= 0) {
      const octets = ipv4Octets(part);
      if (octets === undefined) return undefined;
      out.push(
        ((octets[0] as number) << 8) | (octets[1] as number),
        ((octets[2] as number) << 8) | (octets[3] as number),
      );
      continue;
    }
    if (part.length === 0 || part.length > 4) return undefined;
    let group = 0;
    for (let i = 0; i < part.length; i += 1) {
      const c = part.charCodeAt(i);
      let nibble: number;
      if (c >= 48 && c <= 57) nibble = c - 48;
      else if (c >= 97 && c <= 102) nibble = c - 87;
      else if (c >= 65 && c <= 70) nibble = c - 55;
      else return undefined;
      group = (group << 4) | nibble;
    }
    out.push(group);
  }
  return out;
}
