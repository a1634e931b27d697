import { detectorOf, MAX_DETECTORS, unionDetectors } from './detectors';

describe('detectorOf', () => {
  it('tells apart the tools one SIEM forwards, by the category they file alerts under', () => {
    const wazuh = { product: 'Wazuh', sourceSystem: 'wazuh' };
    expect(detectorOf({ ...wazuh, category: 'suricata' })).toBe('Wazuh/suricata');
    expect(detectorOf({ ...wazuh, category: 'anomaly' })).not.toBe(
      detectorOf({ ...wazuh, category: 'suricata' }),
    );
    expect(detectorOf({ product: null, sourceSystem: 'edr-prod', category: null })).toBe(
      'edr-prod/-',
    );
  });

  it('unites detector lists sorted and bounded', () => {
    expect(unionDetectors(['b'], ['a', 'b'])).toEqual(['a', 'b']);
    const many = Array.from({ length: 20 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    expect(unionDetectors(many.slice(0, 10), many.slice(10))).toHaveLength(MAX_DETECTORS);
  });
});
