import { parseIpv4 } from '../correlation/ipv4';

/**
 * IPv4 and IPv6 addresses and CIDR ranges as numbers, without node:net (the domain does no
 * I/O). IPv4 is a 32-bit number, IPv6 a 128-bit bigint; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is the IPv4 address it carries.
 */
export type IpAddress =
  { readonly version: 4; readonly value: number } | { readonly version: 6; readonly value: bigint };

export interface IpRange {
  readonly version: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
  readonly cidr: string;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  // An embedded IPv4 tail (::ffff:192.0.2.1) is two 16-bit groups.
  if (text.includes('.', lastColon)) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    const prefix = text.slice(0, lastColon + 1);
    head = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part
      .split(':')
      .map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? parseInt(group, 16) : NaN));
    return groups.some(Number.isNaN) ? undefined : groups;
  };
  const left = groupsOf(halves[0] as string);
  const right = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  if (left === undefined || right === undefined) return undefined;
  const given = left.length + right.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...left, ...Array<number>(8 - given).fill(0), ...right, ...tail];
  return groups.reduce((sum, group) => (sum << 16n) | BigInt(group), 0n);
}

const MAPPED_V4_PREFIX = 0xffffn << 32n;

/** Parses an address (IPv6 may be bracketed or carry a zone); undefined when it is none. */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '');
  const v4 = parseIpv4(trimmed);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!trimmed.includes(':')) return undefined;
  const v6 = parseIpv6(trimmed);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_V4_PREFIX >> 32n) return { version: 4, value: Number(v6 & 0xffffffffn) };
  return { version: 6, value: v6 };
}

/** Parses `a.b.c.d/n`, `x::/n`, or a single address (a /32 or /128). */
export function parseCidr(text: string): IpRange | undefined {
  const [address, prefixText, extra] = text.trim().split('/');
  if (address === undefined || extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (ip === undefined) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const value = BigInt(ip.value);
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  const last = first | ((1n << hostBits) - 1n);
  return { version: ip.version, first, last, cidr: `${formatIp(ip)}/${prefix}` };
}

export const ipInRange = (ip: IpAddress, range: IpRange): boolean =>
  ip.version === range.version && BigInt(ip.value) >= range.first && BigInt(ip.value) <= range.last;

/** The canonical text of an address: dotted quad, or lower-case IPv6 as parsed. */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) {
    const v = ip.value;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    groups.push(((ip.value >> shift) & 0xffffn).toString(16));
  const text = groups.join(':');
  // Compress the longest run of zero groups, as RFC 5952 says.
  const runs = [...text.matchAll(/(?:^|:)(0(?::0)+)(?::|$)/g)].map((m) => m[1] as string);
  const longest = runs.sort((a, b) => b.length - a.length)[0];
  if (longest === undefined) return text;
  const compressed = text.replace(new RegExp(`(^|:)${longest}(:|$)`), '::');
  return compressed.replace(/^:::/, '::').replace(/:::$/, '::');
}

/**
 * A feed's address or range in canonical form: a range of one address is that address (an
 * exact match), anything wider its CIDR with the address as written canonicalized.
 */
export function canonicalIpOrRange(text: string): string | undefined {
  const range = parseCidr(text);
  if (range === undefined) return undefined;
  const single = range.first === range.last;
  return single ? range.cidr.slice(0, range.cidr.lastIndexOf('/')) : range.cidr;
}
