import { RedeliveryFilter } from './redelivery-filter';

const key = (alertId: string, tenantId = 'acme') =>
  RedeliveryFilter.keyOf({ tenantId, sourceSystem: 'splunk-1', alertId });

const roomy = { horizonMs: 60_000, maxBytes: 1 << 20 };

describe('RedeliveryFilter', () => {
  it('admits an alert once and counts an exact re-delivery within the horizon', () => {
    const filter = new RedeliveryFilter(roomy);
    expect(filter.admit(key('a1'), 1_000)).toBe(true);
    expect(filter.admit(key('a1'), 30_000)).toBe(false);
    expect(filter.redeliveriesCounted).toBe(1);
  });

  it('treats the same alert id of another tenant as a different alert', () => {
    const filter = new RedeliveryFilter(roomy);
    expect(filter.admit(key('a1', 'acme'), 1_000)).toBe(true);
    expect(filter.admit(key('a1', 'globex'), 1_000)).toBe(true);
  });

  it('admits the alert again once the horizon has passed and evicts what it forgot', () => {
    const filter = new RedeliveryFilter(roomy);
    filter.admit(key('a1'), 0);
    filter.admit(key('a2'), 10_000);
    expect(filter.admit(key('a1'), 60_000)).toBe(true);
    expect(filter.size).toBe(2);
    filter.admit(key('a3'), 200_000);
    expect(filter.size).toBe(1);
    expect(filter.bytesUsed).toBe(RedeliveryFilter.entryBytes(key('a3')));
  });

  it('stays within its byte bound by dropping the oldest keys', () => {
    const entry = RedeliveryFilter.entryBytes(key('a1'));
    const filter = new RedeliveryFilter({ horizonMs: 60_000, maxBytes: 2 * entry });
    filter.admit(key('a1'), 0);
    filter.admit(key('a2'), 1);
    filter.admit(key('a3'), 2);
    expect(filter.size).toBe(2);
    expect(filter.bytesUsed).toBeLessThanOrEqual(2 * entry);
    expect(filter.admit(key('a1'), 3)).toBe(true);
    expect(filter.admit(key('a3'), 4)).toBe(false);
  });

  it('counts long keys by their size, so fewer of them fit', () => {
    const long = (id: string) => key(id.padEnd(256, 'x'));
    const filter = new RedeliveryFilter({
      horizonMs: 60_000,
      maxBytes: 3 * RedeliveryFilter.entryBytes(long('l1')),
    });
    for (let i = 0; i < 10; i += 1) filter.admit(long(`l${i}`), i);
    expect(filter.size).toBe(3);
    expect(filter.has(long('l9'), 10)).toBe(true);
    expect(filter.has(long('l6'), 10)).toBe(false);
  });

  it('keeps the newest keys over a long run of admits and forgets', () => {
    const filter = new RedeliveryFilter({
      horizonMs: 1_000_000,
      maxBytes: 100 * RedeliveryFilter.entryBytes(key('00000')),
    });
    const admitted: string[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      const id = String(i).padStart(5, '0');
      filter.admit(key(id), i);
      admitted.push(id);
      if (i % 3 === 0 && i > 0) {
        filter.forget(key(admitted[admitted.length - 2] as string));
        admitted.splice(admitted.length - 2, 1);
      }
    }
    const newest = admitted.slice(-100);
    expect(filter.size).toBe(100);
    expect(newest.every((id) => filter.has(key(id), 5_000))).toBe(true);
    expect(filter.has(key(admitted[admitted.length - 101] as string), 5_000)).toBe(false);
  });

  it('lets a forgotten key through again, for deliveries that failed downstream', () => {
    const filter = new RedeliveryFilter(roomy);
    filter.admit(key('a1'), 0);
    filter.forget(key('a1'));
    expect(filter.admit(key('a1'), 1)).toBe(true);
  });

  it('remembers keys read back from the log without counting them, keeping the first time', () => {
    const filter = new RedeliveryFilter(roomy);
    filter.remember(key('w1'), 1_000);
    filter.remember(key('w1'), 50_000);
    expect(filter.redeliveriesCounted).toBe(0);
    expect(filter.has(key('w1'), 60_999)).toBe(true);
    expect(filter.has(key('w1'), 61_000)).toBe(false);
    expect(filter.admit(key('w1'), 2_000)).toBe(false);
  });
});
