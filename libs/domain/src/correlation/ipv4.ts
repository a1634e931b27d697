/** IPv4 addresses and networks as unsigned 32-bit numbers, for allowlist matching. */
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
