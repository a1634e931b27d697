import { DEAD_LETTER_HEADERS } from '@soc/contracts';
import { deadLetterMessage, MAX_DEAD_LETTER_VALUE_BYTES } from './dead-letter';

const source = { topic: 'soc.raw.cef', partition: 0, offset: '7' };

describe('deadLetterMessage', () => {
  it('keeps the original bytes and says why', () => {
    const letter = deadLetterMessage(
      { key: Buffer.from('acme'), value: Buffer.from('CEF:0|'), headers: {} },
      source,
      { reason: 'bad', field: 'header' },
      0,
    );
    expect(letter.value).toEqual(Buffer.from('CEF:0|'));
    expect(letter.headers?.[DEAD_LETTER_HEADERS.valueTruncated]).toBeUndefined();
  });

  it('keeps only the head of a near-limit record, so the copy fits the broker too', () => {
    const value = Buffer.alloc(1_048_000, 0x61);
    const letter = deadLetterMessage({ key: null, value, headers: {} }, source, { reason: 'x' }, 0);
    expect((letter.value as Buffer).length).toBe(MAX_DEAD_LETTER_VALUE_BYTES);
    expect(letter.headers?.[DEAD_LETTER_HEADERS.valueTruncated]).toBe('1048000');
  });
});
