import { generateTraffic } from '@soc/domain';
import { admitAsCanonical } from './identity-admit';

const [alert] = [...generateTraffic({ seed: 'identity', alertCount: 1, ratePerSecond: 1 })].map(
  (generated) => generated.alert,
);

describe('the identity admit step (benchmark-only)', () => {
  it('passes a canonical record through with the door tenant and arrival time', () => {
    const record = JSON.parse(JSON.stringify(alert)) as unknown;
    const context = { tenantId: 'door-tenant', ingestedAt: 1_750_000_000_000 };
    const admitted = admitAsCanonical([{ index: 0, record }], context);
    expect(admitted.accepted).toEqual([{ ...alert, ...context }]);
    expect(admitted.results).toEqual([
      { index: 0, status: 'accepted', alertId: alert?.alertId, format: alert?.format },
    ]);
  });

  it('keeps re-deliveries, since the identity filters nothing', () => {
    const context = { tenantId: 't', ingestedAt: 1 };
    const twice = admitAsCanonical(
      [
        { index: 0, record: alert },
        { index: 1, record: alert },
      ],
      context,
    );
    expect(twice.accepted).toHaveLength(2);
  });

  it('rejects an item its door could not read, with the door reason', () => {
    const invalid = { field: 'value', reason: 'invalid JSON' };
    const admitted = admitAsCanonical([{ index: 3, invalid }], { tenantId: 't', ingestedAt: 1 });
    expect(admitted.accepted).toEqual([]);
    expect(admitted.results).toEqual([
      { index: 3, status: 'rejected', format: 'canonical', ...invalid },
    ]);
  });
});
