import fc from 'fast-check';
import { contentAlertId, fnv1a64Hex } from './content-hash';

/** A slow, obviously-correct reference: BigInt arithmetic over TextEncoder's UTF-8 bytes. */
function referenceFnv1a64(input: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(input)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

describe('FNV-1a 64 content hash', () => {
  // Reference vectors from the FNV authors' test suite.
  it.each([
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('hashes %j to %s', (input, expected) => {
    expect(fnv1a64Hex(input)).toBe(expected);
  });

  it('equals the BigInt reference over UTF-8 bytes for any string, lone surrogates included', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: codeUnit }), fc.string({ unit: 'grapheme' })),
        (input) => {
          expect(fnv1a64Hex(input)).toBe(referenceFnv1a64(input));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('prefixes the algorithm in alert ids', () => {
    expect(contentAlertId('a')).toBe('fnv1a64:af63dc4c8601ec8c');
  });
});
