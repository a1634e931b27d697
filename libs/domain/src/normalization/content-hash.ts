/**
 * FNV-1a 64-bit over the UTF-8 bytes of a string, as 16 lower-case hex digits. Used as the
 * alert id of records whose format carries no id of its own: the same record text always gets
 * the same id, so a re-delivery is recognised. Not a cryptographic hash and not meant as one:
 * it only has to be stable and well spread. The 64-bit state is kept in four 16-bit limbs so
 * every intermediate stays an exact small integer (no BigInt on the hot path).
 */
export function fnv1a64Hex(input: string): string {
  // Offset basis 0xcbf29ce484222325, least significant limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const bytes = [0, 0, 0, 0];
  const length = input.length;
  for (let i = 0; i < length; i += 1) {
    let code = input.charCodeAt(i);
    if (code < 0x80) {
      // ASCII fast path: the round below, inlined (most records are ASCII).
      h0 ^= code;
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
      h3 = (h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16)) & 0xffff;
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
      continue;
    }
    // UTF-8 encode on the fly; lone surrogates become U+FFFD as TextEncoder does.
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < length ? input.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i += 1;
      } else {
        code = 0xfffd;
      }
    }
    const count = encodeUtf8(code, bytes);
    for (let k = 0; k < count; k += 1) {
      // xor the byte in, then multiply by the prime 0x100000001b3 = 2^40 + 0x1b3 (mod 2^64).
      h0 ^= bytes[k] as number;
      let t0 = h0 * 0x1b3;
      let t1 = h1 * 0x1b3;
      let t2 = h2 * 0x1b3 + (h0 << 8);
      const t3 = h3 * 0x1b3 + (h1 << 8);
      t1 += t0 >>> 16;
      t0 &= 0xffff;
      t2 += t1 >>> 16;
      h0 = t0;
      h1 = t1 & 0xffff;
      h3 = (t3 + (t2 >>> 16)) & 0xffff;
      h2 = t2 & 0xffff;
    }
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

/** Writes the UTF-8 bytes of a code point (at least U+0080) into `bytes`; returns how many. */
function encodeUtf8(code: number, bytes: number[]): number {
  if (code < 0x800) {
    bytes[0] = 0xc0 | (code >> 6);
    bytes[1] = 0x80 | (code & 0x3f);
    return 2;
  }
  if (code < 0x10000) {
    bytes[0] = 0xe0 | (code >> 12);
    bytes[1] = 0x80 | ((code >> 6) & 0x3f);
    bytes[2] = 0x80 | (code & 0x3f);
    return 3;
  }
  bytes[0] = 0xf0 | (code >> 18);
  bytes[1] = 0x80 | ((code >> 12) & 0x3f);
  bytes[2] = 0x80 | ((code >> 6) & 0x3f);
  bytes[3] = 0x80 | (code & 0x3f);
  return 4;
}

function hex4(limb: number): string {
  const digits = limb.toString(16);
  return digits.length === 4 ? digits : '0000'.slice(digits.length) + digits;
}

/** The alert id of a record without its own id: `fnv1a64:<16 hex digits>` of the original. */
export const contentAlertId = (original: string): string => `fnv1a64:${fnv1a64Hex(original)}`;
