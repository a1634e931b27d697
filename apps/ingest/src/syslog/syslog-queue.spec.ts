import { SyslogQueue, type QueuedMessage } from './syslog-queue';

const message = (record: string): QueuedMessage => ({
  record,
  tenantId: 'acme',
  transport: 'udp',
  remote: '127.0.0.1',
});

describe('SyslogQueue', () => {
  it('refuses a message past its byte bound and takes it again once drained', () => {
    const queue = new SyslogQueue(1_000);
    expect(queue.offer(message('x'.repeat(300)))).toBe(true);
    expect(queue.offer(message('x'.repeat(300)))).toBe(false);
    expect(queue.pressing).toBe(true);
    expect(queue.take(10)).toHaveLength(1);
    expect(queue.bytes).toBe(0);
    expect(queue.offer(message('x'.repeat(300)))).toBe(true);
  });

  it('puts a failed batch back at the head, in order', () => {
    const queue = new SyslogQueue(10_000);
    for (const r of ['a', 'b', 'c']) queue.offer(message(r));
    const taken = queue.take(2);
    queue.putBack(taken);
    expect(queue.take(3).map((m) => m.record)).toEqual(['a', 'b', 'c']);
  });
});
