import fc from 'fast-check';
import type { AlertEntity } from '@soc/contracts';
import { alertKeysOf, entityKey } from './entity-keys';
import { host, ip, user } from '../../test/correlation/spec-support';

const keyedAlert = (entities: readonly AlertEntity[]) => ({
  ruleId: 'R-1',
  ruleName: null,
  title: 'rule one',
  entities,
});

describe('alertKeysOf', () => {
  it('keeps each entity once, in the order the alert names them', () => {
    const keys = alertKeysOf(keyedAlert([host('ws-1'), ip('10.0.0.1'), host('ws-1'), user('ann')]));
    expect(keys.entityKeys).toEqual(['host:ws-1', 'ip:10.0.0.1', 'user:ann']);
    expect(keys.entities.map(({ key }) => key)).toEqual(keys.entityKeys);
  });

  it('gives the same repeat key for the same entities in any order, few or many', () => {
    const values = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), {
      minLength: 0,
      maxLength: 40,
    });
    fc.assert(
      fc.property(values, fc.integer(), (names, seed) => {
        const entities = names.map((name) => host(name));
        const shuffled = [...entities].sort(
          (a, b) => ((a.value.length * seed) % 7) - ((b.value.length * seed) % 7),
        );
        const keys = alertKeysOf(keyedAlert(entities));
        const sorted = entities.map(entityKey).sort();
        const expected =
          sorted.length < 2 ? `repeat|R-1|${sorted[0] ?? ''}` : `repeat|R-1|${sorted.join(',')}`;
        expect(keys.repeatKey).toBe(expected);
        expect(alertKeysOf(keyedAlert(shuffled)).repeatKey).toBe(expected);
      }),
    );
  });
});
