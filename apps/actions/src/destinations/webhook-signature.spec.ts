import { createHmac } from 'node:crypto';
import { signatureHeader, verifySignature } from './webhook-signature';

describe('webhook signature', () => {
  const secret = 'whsec-spec';
  const body = '{"version":1,"id":"t/i/1"}';
  const timestamp = 1_736_931_600;

  it('is HMAC-SHA256 over "<timestamp>.<body>", as README tells receivers', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    expect(signatureHeader({ secret, body, timestamp })).toBe(`t=${timestamp},v1=${expected}`);
  });

  it('verifies a fresh signature and refuses a changed body, another secret or an old time', () => {
    const header = signatureHeader({ secret, body, timestamp });
    expect(verifySignature({ secret, header, body, nowSeconds: timestamp + 10 })).toEqual({
      valid: true,
      timestamp,
    });
    expect(verifySignature({ secret, header, body: `${body} `, nowSeconds: timestamp })).toEqual({
      valid: false,
      reason: 'signature does not match',
    });
    expect(verifySignature({ secret: 'other', header, body, nowSeconds: timestamp })).toMatchObject(
      {
        valid: false,
      },
    );
    expect(verifySignature({ secret, header, body, nowSeconds: timestamp + 301 })).toEqual({
      valid: false,
      reason: 'timestamp outside the tolerance',
    });
    expect(
      verifySignature({ secret, header: undefined, body, nowSeconds: timestamp }),
    ).toMatchObject({
      valid: false,
    });
  });
});
