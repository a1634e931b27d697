import { RedeliveryFilter } from './redelivery-filter';

const key = (alertId: string, tenantId = 'acme') =>
  RedeliveryFilter.keyOf({ tenantId, sourceSystem: 'splunk-1', alertId });

describe('RedeliveryFilter', () => {
  it('admits an alert once and counts an exact re-delivery within the horizon', () => {
    const filter = new RedeliveryFilter(60_000);
    expect(filter.admit(key('a1'), 1_000)).toBe(true);
    expect(filter.admit(key('a1'), 30_000)).toBe(false);
    expect(filter.redeliveriesCounted).toBe(1);
  });

  it('treats the same alert id of another tenant as a different alert', () => {
    const filter = new RedeliveryFilter(60_000);
    expect(filter.admit(key('a1', 'acme'), 1_000)).toBe(true);
    expect(filter.admit(key('a1', 'globex'), 1_000)).toBe(true);
  });

  it('admits the alert again once the horizon has passed and evicts what it forgot', () => {
    const filter = new RedeliveryFilter(60_000);
    filter.admit(key('a1'), 0);
    filter.admit(key('a2'), 10_000);
    expect(filter.admit(key('a1'), 60_000)).toBe(true);
    expect(filter.size).toBe(2);
    filter.admit(key('a3'), 200_000);
    expect(filter.size).toBe(1);
  });

  it('stays within its entry bound by dropping the oldest key', () => {
    const filter = new RedeliveryFilter(60_000, 2);
    filter.admit(key('a1'), 0);
    filter.admit(key('a2'), 1);
    filter.admit(key('a3'), 2);
    expect(filter.size).toBe(2);
    expect(filter.admit(key('a1'), 3)).toBe(true);
    expect(filter.admit(key('a3'), 4)).toBe(false);
  });

  it('lets a forgotten key through again, for deliveries that failed downstream', () => {
    const filter = new RedeliveryFilter(60_000);
    filter.admit(key('a1'), 0);
    filter.forget(key('a1'));
    expect(filter.admit(key('a1'), 1)).toBe(true);
  });
});
