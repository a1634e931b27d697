import { evidenceScore, KNOWN_FIRINGS } from './evidence-score';
import { addEvidence, evidenceOf, NO_EVIDENCE, RARE_SURPRISE } from './incident-evidence';
import { aFiringRarity } from '../../../test/scoring/evidence-spec-support';

const rarity = aFiringRarity;
const rare = (rule: string, detector: string, entityKey = 'host:intranet') =>
  evidenceOf(rarity({ surprise: Math.log(5_001), entityKey }), { rule, detector });

describe('incident evidence', () => {
  it('keeps a rare firing as a finding and a common one as what looks routine', () => {
    expect(rare('A-Acc-Val1', 'Wazuh/anomaly').findings).toHaveLength(1);
    const common = evidenceOf(rarity({ surprise: 0.01, ruleOnEntity: 3_402, routine: true }), {
      rule: 'W-Sys-Cav',
      detector: 'Wazuh/wazuh',
    });
    expect(common.findings).toEqual([]);
    expect(common.common).toMatchObject({ rule: 'W-Sys-Cav', ruleOnEntity: 3_402 });
    expect(
      evidenceOf(rarity({ surprise: RARE_SURPRISE * 0.9 }), { rule: 'R', detector: 'd' }).findings,
    ).toEqual([]);
  });

  it('is no evidence at all for an entity without history', () => {
    expect(evidenceOf(rarity({ entityAlerts: 0 }), { rule: 'R', detector: 'd' })).toBe(NO_EVIDENCE);
  });

  it('adds up one finding per rule, the most surprising kept, and the detectors that agree', () => {
    const sum = [
      rare('R-1', 'Wazuh/wazuh'),
      rare('R-1', 'Wazuh/wazuh'),
      rare('R-2', 'Wazuh/suricata'),
    ].reduce(addEvidence, NO_EVIDENCE);
    expect(sum.findings.map((f) => f.rule)).toEqual(['R-1', 'R-2']);
    expect(sum.detectors).toEqual(['Wazuh/suricata', 'Wazuh/wazuh']);
  });
});

describe('evidenceScore', () => {
  it('explains a routine incident in words and scores it 0', () => {
    const routine = evidenceOf(rarity({ surprise: 0.01, ruleOnEntity: 3_402, routine: true }), {
      rule: 'W-Sys-Cav',
      detector: 'Wazuh/wazuh',
    });
    expect(evidenceScore(routine)).toEqual({
      raw: 0,
      points: 0,
      reason:
        'nothing unusual: rule W-Sys-Cav seen 3,402 times in 5,000 alerts on host mail, on a steady rhythm: routine',
    });
    const young = evidenceOf(rarity({ surprise: 0.7, ruleOnEntity: 1, entityAlerts: 2 }), {
      rule: 'W-Acc-400',
      detector: 'Wazuh/wazuh',
    });
    expect(evidenceScore(young).reason).toBe(
      'little history: rule W-Acc-400 seen once in 2 alerts on host mail, too little to call it rare',
    );
  });

  it('scores more rare rules, more agreeing detectors and more hosts higher, up to 100', () => {
    const one = evidenceScore(rare('R-1', 'Wazuh/wazuh'));
    const three = evidenceScore(
      [
        rare('R-1', 'Wazuh/wazuh'),
        rare('R-2', 'Wazuh/suricata'),
        rare('R-3', 'Wazuh/anomaly', 'host:mail'),
      ].reduce(addEvidence, NO_EVIDENCE),
    );
    expect(one.raw).toBeGreaterThan(0);
    expect(three.raw).toBeGreaterThan(one.raw as number);
    expect(three.raw).toBeLessThanOrEqual(100);
    expect(one.reason).toBe('rule R-1 new on host intranet (after 5,000 alerts there)');
    expect(three.reason).toContain(
      '3 detectors agree (Wazuh/anomaly, Wazuh/suricata, Wazuh/wazuh)',
    );
    expect(three.reason).toContain('on 2 hosts and users');
  });

  it('says how much a young baseline weighed a finding, and why it calls nothing rare yet', () => {
    const weighed = evidenceOf(
      rarity({
        surprise: Math.log(5_001) * 0.5,
        unweighedSurprise: Math.log(5_001),
        maturity: 0.5,
      }),
      { rule: 'R-1', detector: 'Wazuh/wazuh' },
    );
    expect(evidenceScore(weighed).reason).toBe(
      "rule R-1 new on host mail (after 5,000 alerts there), weighed 50 % (the tenant's baseline is 12 h old)",
    );
    const tooYoung = evidenceOf(
      rarity({ surprise: 0.4, unweighedSurprise: Math.log(5_001), maturity: 0.05 }),
      { rule: 'R-1', detector: 'Wazuh/wazuh' },
    );
    expect(tooYoung.findings).toEqual([]);
    expect(evidenceScore(tooYoung).reason).toBe(
      "little history: the tenant's baseline is only 1.2 h old, too young to call rule R-1 seen 0 times in 5,000 alerts on host mail rare",
    );
  });

  it('scores an incident whose every rare rule is known where it fired as nothing new, quoting the least known', () => {
    const knownRare = (rule: string, ruleOnEntity: number) =>
      evidenceOf(
        rarity({
          surprise: Math.log(428_743 / (ruleOnEntity + 1)),
          ruleOnEntity,
          entityAlerts: 428_742,
          entityKey: 'host:intranet_server',
        }),
        { rule, detector: 'Wazuh/suricata' },
      );
    const everyday = addEvidence(knownRare('S-Dns-Qry3', 94), knownRare('W-All-Evt', 116));
    expect(everyday.findings).toHaveLength(2);
    expect(evidenceScore(everyday)).toEqual({
      raw: 0,
      points: 0,
      reason:
        "nothing new: rule S-Dns-Qry3 seen 94 times in 428,742 alerts on host intranet_server, a small share of a busy entity's alerts but known there",
    });
  });

  it('counts the known rare rules beside a rule new on its entity, and a rule seen less than KNOWN_FIRINGS times as rare', () => {
    const known = evidenceOf(rarity({ surprise: Math.log(5_001 / 95), ruleOnEntity: 94 }), {
      rule: 'S-Dns-Qry3',
      detector: 'Wazuh/suricata',
    });
    const beside = addEvidence(rare('A-Acc-Ent2', 'Wazuh/anomaly'), known);
    expect(evidenceScore(beside).points).toBeGreaterThan(
      evidenceScore(rare('A-Acc-Ent2', 'Wazuh/anomaly')).points,
    );
    const fewTimes = evidenceOf(
      rarity({ surprise: Math.log(5_001 / KNOWN_FIRINGS), ruleOnEntity: KNOWN_FIRINGS - 1 }),
      { rule: 'W-Aut-Pam2', detector: 'Wazuh/wazuh' },
    );
    expect(evidenceScore(fewTimes).raw).toBeGreaterThan(0);
    expect(evidenceScore(fewTimes).reason).toBe(
      'rule W-Aut-Pam2 9 times in 5,000 alerts on host mail',
    );
  });

  it('says so when there is no baseline yet, and leaves the factor out', () => {
    expect(evidenceScore(NO_EVIDENCE)).toMatchObject({ raw: null });
  });
});
