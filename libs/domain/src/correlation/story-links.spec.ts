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

  it('joins two hosts where one rule, new on one of them and rare on the other, fires at the same moment', () => {
    const h = new Harness();
    // The firewall, twice as busy, has seen S-Htt-Mat once: rare there, known in the tenant.
    h.alert(rule('S-Htt-Mat', 100, 'firewall'));
    const at = withHistory(h, ['intranet', 'firewall', 'firewall']);
    const [firewall] = h.alert(rule('S-Htt-Mat', at, 'firewall'));
    const events = h.alert(rule('S-Htt-Mat', at + 1, 'intranet'));
    const links = only(events, 'CampaignLinked');
    expect(links.map((link) => link.streamId)).toEqual([events[0]?.streamId, firewall?.streamId]);
    expect(links[0]?.data.reason).toBe(
      'rule S-Htt-Mat, new on host intranet, fired rare on host firewall at the same moment: one activity seen on two hosts',
    );
  });

  it('joins a late row to the host that saw the same activity, whose incident has closed since', () => {
    const h = new Harness();
    h.alert(rule('S-Htt-Mat', 100, 'firewall'));
    const at = withHistory(h, ['intranet', 'firewall', 'firewall']);
    const [firewall] = h.alert(rule('S-Htt-Mat', at, 'firewall'));
    expect(only(h.tick(at + 6 * 60), 'IncidentClosed').map((closed) => closed.streamId)).toContain(
      firewall?.streamId,
    );
    // The intranet's detector forwards its row six hours late.
    const events = h.alert(rule('S-Htt-Mat', at + 1, 'intranet'));
    const links = only(events, 'CampaignLinked');
    expect(links.map((link) => link.streamId)).toContain(firewall?.streamId);
    expect(links[0]?.data.reason).toBe(
      'rule S-Htt-Mat, new on host intranet, fired rare on host firewall at the same moment: one activity seen on two hosts',
    );
  });

  it('does not join two hosts through a rule new on neither, nor minutes apart', () => {
    const h = new Harness();
    h.alert(rule('S-Htt-Mat', 100, 'firewall'));
    h.alert(rule('S-Htt-Mat', 100, 'intranet'));
    const at = withHistory(h, ['intranet', 'intranet', 'firewall', 'firewall', 'vpn', 'vpn']);
    h.alert(rule('S-Htt-Mat', at, 'firewall'));
    // Rare on both, new on neither.
    expect(only(h.alert(rule('S-Htt-Mat', at + 1, 'intranet')), 'CampaignLinked')).toEqual([]);
    // New on the VPN, but 4 minutes after the firewall's.
    expect(only(h.alert(rule('S-Htt-Mat', at + 4, 'vpn')), 'CampaignLinked')).toEqual([]);
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

describe('quiet host links', () => {
  /** Busy hosts with their everyday rule, a quiet monitoring host every 8 hours, then an attack. */
  function attacked(h: Harness): { readonly at: number; readonly attackId: string } {
    for (let at = 0; at < 80 * 20; at += 8 * 60) h.alert(rule('A-Mon-Rng', at, 'monitoring'));
    const at = withHistory(h, ['intranet', 'firewall']);
    let attackId = '';
    ['A-Acc-Ent2', 'W-Acc-Att', 'W-Err-Fbd2', 'S-Htt-Mat'].forEach((ruleId, i) => {
      const events = h.alert(rule(ruleId, at + i, 'intranet'));
      attackId ||= events[0]?.streamId ?? '';
    });
    return { at: at + 3, attackId };
  }
  const threshold = 30;
  const config = () => configOf({ defaults: { scoring: { highPriorityThreshold: threshold } } });

  it('joins an alert of a quiet host to the escalated story active around it', () => {
    const h = new Harness(config());
    const { at, attackId } = attacked(h);
    const attack = only(h.events, 'IncidentScored').filter((e) => e.streamId === attackId);
    expect(attack.at(-1)?.data.priority).toBeGreaterThanOrEqual(threshold);
    const events = h.alert(rule('A-Mon-Rng', at + 10, 'monitoring'));
    const links = only(events, 'CampaignLinked');
    expect(links.map((link) => link.data.linkedIncidentIds)).toContainEqual([attackId]);
    expect(links[0]?.data.reason).toMatch(
      new RegExp(
        `^host monitoring is quiet \\(0\\.1 alerts an hour as usual\\) and fired 10 min from incident ${attackId} of a story at priority \\d+: activity on a quiet host during an escalated story$`,
      ),
    );
  });

  it('leaves a quiet host alone outside the story, and a busy host alone during it', () => {
    const h = new Harness(config());
    const { at } = attacked(h);
    expect(only(h.alert(rule('A-Mon-Rng', at + 90, 'monitoring')), 'CampaignLinked')).toEqual([]);
    const quietLinks = (events: readonly { type: string }[]) =>
      only(events as never, 'CampaignLinked').filter((link) =>
        link.data.reason.includes('quiet host'),
      );
    expect(quietLinks(h.alert(rule('R-everyday', at + 95, 'firewall')))).toEqual([]);
    // Without a story at the threshold the quiet host joins nothing.
    const calm = new Harness(configOf({ defaults: { scoring: { highPriorityThreshold: 100 } } }));
    const later = attacked(calm).at;
    expect(only(calm.alert(rule('A-Mon-Rng', later + 10, 'monitoring')), 'CampaignLinked')).toEqual(
      [],
    );
  });
});
