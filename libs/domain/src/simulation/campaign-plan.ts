import type { AlertEntity, ThreatIntelVerdict, ThreatIntelVerdictLabel } from '@soc/contracts';
import { SLOT_TYPES, type RuleTemplate, type Slot } from './catalog';
import type { Prng } from './prng';
import { documentationIp, hex, type TenantWorld } from './world';

export const verdict = (
  indicator: string,
  indicatorType: AlertEntity['type'],
  label: ThreatIntelVerdictLabel,
  score: number,
): ThreatIntelVerdict => ({
  indicator,
  indicatorType,
  source: 'sim-intel',
  verdict: label,
  score,
});

/** A campaign's victim, server, admin account, phishing and command-and-control indicators. */
export function campaignSlots(rng: Prng, world: TenantWorld): Partial<Record<Slot, string>> {
  const victim = rng.pick(world.workstations);
  const server = rng.pick(world.servers);
  const word = rng.pick([
    'invoice',
    'payroll',
    'secure-docs',
    'sso-login',
    'shipment',
    'hr-portal',
  ]);
  const phishDomain = `${word}-${rng.int(100, 9999)}.example.com`;
  const c2Domain = `cdn-${hex(rng, 6)}.example.org`;
  return {
    victimHost: victim.host,
    victimUser: victim.user,
    victimEmail: victim.email,
    victimIp: victim.ip,
    secondHost: server.host,
    secondIp: server.ip,
    adminUser: rng.pick(world.admins),
    phishDomain,
    phishUrl: `https://${phishDomain}/${hex(rng, 8)}`,
    payloadHash: hex(rng, 64),
    c2Domain,
    c2Ip: documentationIp(rng),
  };
}

/** Threat intel on the campaign's indicators the template's alert carries. */
export function campaignIntel(
  rng: Prng,
  template: RuleTemplate,
  slots: Partial<Record<Slot, string>>,
): ThreatIntelVerdict[] {
  const intel: ThreatIntelVerdict[] = [];
  for (const slot of ['c2Domain', 'c2Ip', 'phishDomain'] as const) {
    if (!template.slots.includes(slot)) continue;
    const roll = rng.next();
    const value = slots[slot] as string;
    const type = SLOT_TYPES[slot];
    if (roll < 0.6) intel.push(verdict(value, type, 'malicious', rng.int(70, 100)));
    else if (roll < 0.75) intel.push(verdict(value, type, 'suspicious', rng.int(40, 70)));
  }
  return intel;
}
