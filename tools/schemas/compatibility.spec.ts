import type { Schema } from 'avsc';
import { backwardTransitiveProblems } from './compatibility';

const v1: Schema = { type: 'record', name: 'Alert', fields: [{ name: 'id', type: 'string' }] };

describe('backwardTransitiveProblems', () => {
  it('accepts a new field with a default', () => {
    const v2: Schema = {
      type: 'record',
      name: 'Alert',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'score', type: 'int', default: 0 },
      ],
    };
    expect(backwardTransitiveProblems(v2, [{ label: 'v1', schema: v1 }])).toEqual([]);
  });

  it('rejects a new field without a default, naming the version it breaks', () => {
    const v2: Schema = {
      type: 'record',
      name: 'Alert',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'score', type: 'int' },
      ],
    };
    const problems = backwardTransitiveProblems(v2, [{ label: 'v1', schema: v1 }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.against).toBe('v1');
  });

  it('rejects a changed field type', () => {
    const v2: Schema = { type: 'record', name: 'Alert', fields: [{ name: 'id', type: 'boolean' }] };
    expect(backwardTransitiveProblems(v2, [{ label: 'v1', schema: v1 }])).toHaveLength(1);
  });
});
