import { InputReader, ValidationFailed } from './validation';

describe('InputReader', () => {
  it('collects every problem with its path and throws them as one 400', () => {
    const input = new InputReader({ assignee: 42, priority: '101', extra: true }, 'body');
    input.onlyKnown(['assignee', 'priority', 'status']);
    input.string('assignee');
    input.number('priority', { min: 0, max: 100 });
    input.oneOf('status', ['open', 'closed']);
    expect(() => input.done()).toThrow(ValidationFailed);
    try {
      input.done();
    } catch (error) {
      expect((error as ValidationFailed).getStatus()).toBe(400);
      expect((error as ValidationFailed).problems).toEqual([
        { path: 'body.extra', reason: 'is not a known field (known: assignee, priority, status)' },
        { path: 'body.assignee', reason: 'must be a string' },
        { path: 'body.priority', reason: 'must be between 0 and 100' },
        { path: 'body.status', reason: 'is required (one of open, closed)' },
      ]);
    }
  });

  it('reads query-string numbers, lists, booleans and times', () => {
    const input = new InputReader({
      limit: '20',
      status: 'open, closed',
      wait: 'true',
      from: '2025-01-15T09:00:00Z',
      to: '1736931600000',
    });
    expect(input.number('limit', { integer: true })).toBe(20);
    expect(input.list('status', ['open', 'closed'])).toEqual(['open', 'closed']);
    expect(input.boolean('wait', false)).toBe(true);
    expect(input.time('from')).toBe(Date.UTC(2025, 0, 15, 9));
    expect(input.time('to')).toBe(1736931600000);
    expect(input.ok).toBe(true);
  });

  it('rejects a body that is not an object', () => {
    const input = new InputReader(['x']);
    expect(input.collected).toEqual([{ path: '$', reason: 'expected a JSON object' }]);
  });
});
