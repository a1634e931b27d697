import type { CanonicalAlert } from '@soc/contracts';
import { anAlert, MIN, T0 } from '../../test/correlation/spec-support';
import { DelayedArrival, type DelayedAlert } from './delay';

const at = (minutes: number, source: string): DelayedAlert => {
  const observedAt = T0 + minutes * MIN;
  return {
    alert: anAlert({ alertId: `${source}-${minutes}`, observedAt, ingestedAt: observedAt }),
    sources: ['wazuh', 'Wazuh', source],
  };
};

const replay = (inputs: readonly DelayedAlert[], delay: DelayedArrival): CanonicalAlert[] => [
  ...inputs.flatMap((input) => delay.push(input)),
  ...delay.finish(),
];

describe('DelayedArrival: one source replayed late', () => {
  it('delivers a delayed source after everything that arrives before it, event times unchanged', () => {
    const inputs = [at(0, 'aminer'), at(1, 'suricata'), at(30, 'aminer'), at(61, 'suricata')];
    const out = replay(inputs, new DelayedArrival([{ source: 'AMiner', delayMs: 60 * MIN }]));
    expect(out.map((alert) => alert.alertId)).toEqual([
      'suricata-1',
      'aminer-0',
      'suricata-61',
      'aminer-30',
    ]);
    expect(out.map((alert) => (alert.ingestedAt - T0) / MIN)).toEqual([1, 60, 61, 90]);
    expect(out.map((alert) => (alert.observedAt - T0) / MIN)).toEqual([1, 0, 61, 30]);
  });

  it('keeps the input order without delays', () => {
    const inputs = [at(0, 'aminer'), at(1, 'suricata'), at(2, 'aminer')];
    expect(replay(inputs, new DelayedArrival([])).map((alert) => alert.alertId)).toEqual([
      'aminer-0',
      'suricata-1',
      'aminer-2',
    ]);
  });
});
