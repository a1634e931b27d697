import type { ThreatIntelVerdict } from '@soc/contracts';
import { NOISE_RULES, SCAN_RULE, type RuleTemplate, type Slot } from './catalog';
import { verdict } from './campaign-plan';
import type { AlertLabel } from './generator';
import type { Prng } from './prng';
import { benignDomainAt, externalIpAt, hashAt, pickIndex, type TenantWorld } from './world';

const SECOND = 1_000;

/**
 * How real SIEM noise arrives: rarely one alert alone. A detector that fires on a host keeps
 * firing while the cause lasts (a PUA found at every scan, a user retrying a password, a
 * process beaconing to one address), and an Internet scanner probes many hosts in a minute.
 * Burst sizes are heavy-tailed: many short ones, a few long ones.
 */
export const NOISE_SHAPE = {
  /** Share of bursts of a single alert. */
  singles: 0.35,
  /** Mean extra alerts of a longer burst (geometric), and the cap. */
  meanExtra: 5,
  maxBurst: 60,
  /** Share of noise events that are a scan of several hosts from one external address. */
  scans: 0.04,
  scanHosts: [4, 25] as const,
} as const;

/** The mean alerts a noise event makes, for spacing events so the alert rate stays as asked. */
export const MEAN_ALERTS_PER_NOISE_EVENT =
  (1 - NOISE_SHAPE.scans) * (1 + (1 - NOISE_SHAPE.singles) * NOISE_SHAPE.meanExtra) +
  NOISE_SHAPE.scans * ((NOISE_SHAPE.scanHosts[0] + NOISE_SHAPE.scanHosts[1]) / 2);

/** One alert of a noise event: when, after the event's start, and about what. */
export interface NoiseAlertPlan {
  readonly offsetMs: number;
  readonly slots: Partial<Record<Slot, string>>;
}

export interface NoiseEvent {
  readonly template: RuleTemplate;
  readonly label: AlertLabel;
  readonly intel: readonly ThreatIntelVerdict[];
  readonly alerts: readonly NoiseAlertPlan[];
}

function burstSize(rng: Prng): number {
  if (rng.chance(NOISE_SHAPE.singles)) return 1;
  const extra = Math.floor(rng.exponential(NOISE_SHAPE.meanExtra));
  return Math.min(NOISE_SHAPE.maxBurst, 2 + extra);
}

function externalIntel(rng: Prng, template: RuleTemplate, ip: string): ThreatIntelVerdict[] {
  if (!template.slots.includes('externalIp')) return [];
  if (rng.chance(0.02)) return [verdict(ip, 'ip', 'malicious', rng.int(55, 85))];
  if (rng.chance(0.08)) return [verdict(ip, 'ip', 'suspicious', rng.int(20, 60))];
  return [];
}

/** The same rule on the same host and user, again and again, seconds to a minute apart. */
function burst(rng: Prng, world: TenantWorld): NoiseEvent {
  const station = rng.pickSkewed(world.workstations, 1.3);
  const template = rng.pick(NOISE_RULES);
  const externalIp = externalIpAt(pickIndex(rng, world.externalIps, 1.3));
  const slots = {
    victimHost: station.host,
    victimUser: station.user,
    victimEmail: station.email,
    victimIp: station.ip,
    payloadHash: hashAt(pickIndex(rng, world.noiseHashes, 1.3), world.salt),
    externalIp,
    benignDomain: benignDomainAt(pickIndex(rng, world.benignDomains, 1.3)),
  };
  const size = burstSize(rng);
  const alerts: NoiseAlertPlan[] = [];
  let offsetMs = 0;
  for (let i = 0; i < size; i += 1) {
    if (i > 0) offsetMs += rng.between(2 * SECOND, 60 * SECOND);
    alerts.push({ offsetMs, slots });
  }
  return {
    template,
    label: { group: null, verdict: rng.chance(0.85) ? 'fp' : 'benign' },
    intel: externalIntel(rng, template, externalIp),
    alerts,
  };
}

/** One external address probing several workstations within a minute or two. */
function scan(rng: Prng, world: TenantWorld): NoiseEvent {
  const externalIp = externalIpAt(pickIndex(rng, world.externalIps, 1.3));
  const hosts = rng.int(NOISE_SHAPE.scanHosts[0], NOISE_SHAPE.scanHosts[1]);
  const alerts: NoiseAlertPlan[] = [];
  let offsetMs = 0;
  for (let i = 0; i < hosts; i += 1) {
    if (i > 0) offsetMs += rng.between(0.5 * SECOND, 8 * SECOND);
    const station = rng.pick(world.workstations);
    alerts.push({
      offsetMs,
      slots: { externalIp, victimHost: station.host, victimIp: station.ip },
    });
  }
  return {
    template: SCAN_RULE,
    label: { group: null, verdict: 'fp' },
    intel: externalIntel(rng, SCAN_RULE, externalIp),
    alerts,
  };
}

/** The next noise event of a tenant: a burst on one workstation, or now and then a scan. */
export const noiseEvent = (rng: Prng, world: TenantWorld): NoiseEvent =>
  rng.chance(NOISE_SHAPE.scans) ? scan(rng, world) : burst(rng, world);
