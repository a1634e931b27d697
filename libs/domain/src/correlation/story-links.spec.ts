import type { CanonicalAlert } from '@soc/contracts';
import { anAlert, configOf, Harness, host, MIN, only } from '../../test/correlation/spec-support';

/** A day and a half of one everyday rule on each host, an alert every 20 minutes. */
function withHistory(h: Harness, hosts: readonly string[]): number {
  const last = 80 * 20;
  for (let at = 0; at < last; at += 20)
    for (const name of hosts)
      h.alert(anAlert({ at, ruleId: 'R-everyday', entities: [host(name)] }));
  h.tick(last);
  return last + 60;
}

const rule = (ruleId: string, at: number, name: string): CanonicalAlert =>
  anAlert({ at, ruleId, ruleName: ruleId, title: ruleId, entities: [host(name)] });

describe('story links', () => {
  it('joins incidents on two hosts where a rule new in the tenant fires within the spread window', () => {
    const h = new Harness();
    const at = withHistory(h, ['vpn', 'mail']);
    const [first] = h.alert(rule('S-Flw-Nmp', at, 'vpn'));
    const events = h.alert(rule('S-Flw-Nmp', at + 1, 'mail'));
    const links = only(events, 'CampaignLinked');
    expect(links.map((link) => link.streamId)).toEqual([events[0]?.streamId, first?.streamId]);
    expect(links[0]?.data.reason).toBe(
      'rule S-Flw-Nmp, new in the tenant, fired on host mail and 1 min apart on host vpn: the same activity on another host',
    );
  });

  it('does not join hosts through a rule the tenant already knew, nor after the spread window', () => {
    const h = new Harness();
    // Fired once in the tenant's first minutes: known since, never new.
    h.alert(rule('W-Aut-Pam2', 10, 'dns'));
    const at = withHistory(h, ['vpn', 'mail', 'dns']);
    h.alert(rule('W-Aut-Pam2', at, 'vpn'));
    expect(only(h.alert(rule('W-Aut-Pam2', at + 1, 'mail')), 'CampaignLinked')).toEqual([]);
    h.alert(rule('S-Flw-Nmp', at + 100, 'vpn'));
    expect(only(h.alert(rule('S-Flw-Nmp', at + 161, 'mail')), 'CampaignLinked')).toEqual([]);
  });

  it('continues an incident cut at its maximum span in the same story', () => {
    const h = new Harness(configOf({ defaults: { maxIncidentSpanMs: 60 * MIN } }));
    for (let at = 0; at < 60; at += 5) h.alert(anAlert({ at, entities: [host('dns')] }));
    expect(only(h.tick(61), 'IncidentClosed')[0]?.data.reason).toBe('max-span-reached');
    const events = h.alert(anAlert({ at: 65, ruleId: 'R-2', entities: [host('dns')] }));
    expect(only(events, 'IncidentOpened')).toHaveLength(1);
    expect(only(events, 'CampaignLinked')[0]?.data.reason).toMatch(
      /^continues incident \S+ on host:dns past its maximum span$/,
    );
  });

  it('does not link a host’s incidents by risk when their rows are its everyday rules', () => {
    const h = new Harness(configOf({ defaults: { campaign: { riskThreshold: 100 } } }));
    const at = withHistory(h, ['mail']);
    for (let gap = 0; gap < 10; gap += 1)
      expect(
        only(
          h.alert(anAlert({ at: at + gap * 20, ruleId: 'R-everyday', entities: [host('mail')] })),
          'CampaignLinked',
        ),
      ).toEqual([]);
  });
});
