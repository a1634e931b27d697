import type {
  AlertEntity,
  CanonicalAlert,
  EpochMs,
  ThreatIntelVerdict,
  ThreatIntelVerdictLabel,
} from '@soc/contracts';
import {
  ADMIN_RULES,
  ATTACK_SCRIPT,
  FIRST_NAMES,
  NOISE_RULES,
  ROUTINE_RULES,
  SERVER_ROLES,
  SLOT_TYPES,
  TENANT_NAMES,
  type RuleTemplate,
  type Slot,
} from './catalog';
import { mulberry32, type Prng } from './prng';

export type AlertVerdictLabel = 'tp' | 'fp' | 'benign';

/** Ground truth of one alert: the activity it belongs to (null: lone noise) and its verdict. */
export interface AlertLabel {
  readonly group: string | null;
  readonly verdict: AlertVerdictLabel;
}

export interface LabeledAlert {
  readonly alert: CanonicalAlert;
  readonly label: AlertLabel;
}

/** Shares of the generated alerts by kind; normalized to sum to 1. */
export interface TrafficMix {
  readonly campaigns: number;
  readonly admin: number;
  readonly routine: number;
  readonly noise: number;
}

export interface TrafficParams {
  readonly seed: number | string;
  /** A tenant count (names from a fixed list) or the tenant ids. */
  readonly tenants?: number | readonly string[];
  readonly alertCount: number;
  /** Event-time span the traffic is spread over; or give `ratePerSecond`. */
  readonly durationMs?: number;
  readonly ratePerSecond?: number;
  readonly startTime?: EpochMs;
  readonly mix?: Partial<TrafficMix>;
  /** Ingestion delay bound for on-time alerts (event time to arrival). */
  readonly maxIngestDelayMs?: number;
  /** Share of alerts that arrive minutes late, beyond any sensible allowed lateness. */
  readonly lateFraction?: number;
}

export const DEFAULT_TRAFFIC_MIX: TrafficMix = {
  campaigns: 0.12,
  admin: 0.05,
  routine: 0.28,
  noise: 0.55,
};
export const DEFAULT_START_TIME: EpochMs = Date.UTC(2025, 0, 15, 8, 0, 0);

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

interface Workstation {
  readonly host: string;
  readonly user: string;
  readonly email: string;
  readonly ip: string;
}

interface Server {
  readonly host: string;
  readonly ip: string;
}

interface TenantWorld {
  readonly id: string;
  readonly weight: number;
  readonly workstations: readonly Workstation[];
  readonly servers: readonly Server[];
  readonly admins: readonly string[];
  readonly serviceAccounts: readonly string[];
  /**
   * Sizes of the virtual pools noise draws external addresses, domains and file hashes from
   * (values are derived from the index, not stored): they grow with the traffic, so a
   * popular destination stays as popular at a thousand alerts an hour as at a million.
   */
  readonly externalIps: number;
  readonly benignDomains: number;
  readonly noiseHashes: number;
  readonly salt: number;
}

interface Scheduled {
  readonly time: EpochMs;
  readonly order: number;
  readonly fire: () => LabeledAlert | undefined;
}

/** A binary min-heap by (key, insertion order), so equal times keep a deterministic order. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.before(items[left] as T, items[smallest] as T))
          smallest = left;
        if (right < items.length && this.before(items[right] as T, items[smallest] as T))
          smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as T, items[i] as T];
        i = smallest;
      }
    }
    return top;
  }
}

const hex = (rng: Prng, length: number): string => {
  let text = '';
  for (let i = 0; i < length; i += 1) text += '0123456789abcdef'[rng.int(0, 15)];
  return text;
};

/** Public addresses from the documentation ranges (RFC 5737): realistic, never real hosts. */
const documentationIp = (rng: Prng): string =>
  `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`;

function buildWorld(
  rng: Prng,
  id: string,
  index: number,
  weight: number,
  count: number,
  serverCount: number,
  noisePerHour: number,
): TenantWorld {
  const workstations: Workstation[] = [];
  for (let i = 1; i <= count; i += 1) {
    const name = `${rng.pick(FIRST_NAMES)}${String(i).padStart(3, '0')}`;
    workstations.push({
      host: `ws-${String(i).padStart(4, '0')}`,
      user: `${id}\\${name}`,
      email: `${name}@${id}.example`,
      ip: `10.${index}.${1 + (Math.floor(i / 250) % 99)}.${(i % 250) + 2}`,
    });
  }
  const servers: Server[] = Array.from({ length: serverCount }, (_, i) => {
    const role = SERVER_ROLES[i % SERVER_ROLES.length] as string;
    const n = Math.floor(i / SERVER_ROLES.length) + 1;
    return {
      host: `${role}-${String(n).padStart(2, '0')}`,
      ip: `10.${index}.${100 + Math.floor(i / 250)}.${(i % 250) + 2}`,
    };
  });
  return {
    id,
    weight,
    externalIps: Math.max(762, Math.round(4 * noisePerHour)),
    benignDomains: Math.max(300, Math.round(noisePerHour)),
    noiseHashes: Math.max(500, Math.round(noisePerHour / 2)),
    salt: rng.int(1, 0x7fffffff),
    workstations,
    servers,
    admins: ['it-admin1', 'it-admin2', 'it-admin3'].map((name) => `${id}\\${name}`),
    serviceAccounts: ['svc_backup', 'svc_scanner', 'svc_deploy', 'svc_sync'].map(
      (name) => `${id}\\${name}`,
    ),
  };
}

/** An index into a virtual pool, skewed towards the first items. */
const pickIndex = (rng: Prng, size: number, skew: number): number =>
  Math.floor(Math.pow(rng.next(), skew) * size);

/** The RFC 5737 documentation ranges first, then the shared address space 100.64.0.0/10. */
function externalIpAt(index: number): string {
  if (index < 762)
    return `${['192.0.2', '198.51.100', '203.0.113'][Math.floor(index / 254)] as string}.${(index % 254) + 1}`;
  const i = index - 762;
  return `100.${64 + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}`;
}

const DOMAIN_WORDS = ['cdn', 'api', 'static', 'updates', 'telemetry', 'news'];
const benignDomainAt = (index: number): string =>
  `${DOMAIN_WORDS[index % DOMAIN_WORDS.length] as string}${index}.example.net`;

/** A SHA-256-looking hash derived from a pool index (mixing, not hashing anything real). */
function hashAt(index: number, salt: number): string {
  let text = '';
  let state = (index * 0x9e3779b1 + salt) >>> 0;
  for (let i = 0; i < 8; i += 1) {
    state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) >>> 0;
    state = (state ^ Math.imul(state ^ (state >>> 12), 0x297a2d39)) >>> 0;
    text += state.toString(16).padStart(8, '0');
  }
  return text;
}

const severityLabel = (severity: number): string =>
  severity < 25 ? 'low' : severity < 50 ? 'medium' : severity < 75 ? 'high' : 'critical';

const normalizedMix = (mix: Partial<TrafficMix> | undefined): TrafficMix => {
  const merged = { ...DEFAULT_TRAFFIC_MIX, ...mix };
  const sum = merged.campaigns + merged.admin + merged.routine + merged.noise;
  return {
    campaigns: merged.campaigns / sum,
    admin: merged.admin / sum,
    routine: merged.routine / sum,
    noise: merged.noise / sum,
  };
};

/**
 * Seeded, reproducible SOC traffic in arrival order: attack campaigns that walk the ATT&CK
 * kill chain across a victim's workstation, a server and an admin account over minutes to
 * hours (sometimes with long pauses), benign admin bursts that look like lateral movement,
 * routine scheduled activity with a steady rhythm, and background noise skewed towards a few
 * noisy hosts, for several tenants. Streams: memory stays flat however many alerts you ask for.
 */
export function* generateTraffic(params: TrafficParams): Generator<LabeledAlert> {
  const rng = mulberry32(params.seed);
  const alertCount = Math.max(0, Math.floor(params.alertCount));
  const durationMs =
    params.durationMs ??
    Math.max(MINUTE, Math.round((alertCount / (params.ratePerSecond ?? 1)) * SECOND));
  const start = params.startTime ?? DEFAULT_START_TIME;
  const mix = normalizedMix(params.mix);
  const maxIngestDelayMs = params.maxIngestDelayMs ?? 20 * SECOND;
  const lateFraction = params.lateFraction ?? 0.002;
  const tenantIds =
    typeof params.tenants === 'object'
      ? [...params.tenants]
      : Array.from({ length: params.tenants ?? 3 }, (_, i) => TENANT_NAMES[i] ?? `tenant-${i + 1}`);
  const rawWeights = tenantIds.map((_, i) => 1 / Math.sqrt(i + 1));
  const weightSum = rawWeights.reduce((a, b) => a + b, 0);
  const meanActive = 0.65 * durationMs;
  const routinePerSeries = Math.max(1, meanActive / (10 * MINUTE));
  const routineSeries = Math.max(
    tenantIds.length,
    Math.round((mix.routine * alertCount) / routinePerSeries),
  );
  // Workstations scale with the noise volume: about one noise alert per workstation per two
  // hours, as in a SOC where most hosts are quiet and a few are noisy.
  const noisePerHour = (mix.noise * alertCount) / (durationMs / HOUR);
  const worlds = tenantIds.map((id, i) => {
    const weight = (rawWeights[i] as number) / weightSum;
    const stations = Math.round(Math.min(60_000, Math.max(40, 2 * noisePerHour * weight)));
    // Servers scale with the scheduled jobs, so that most jobs run on a server of their own.
    const servers = Math.min(
      20_000,
      Math.max(SERVER_ROLES.length * 2, Math.ceil((3 * routineSeries) / tenantIds.length)),
    );
    return buildWorld(rng, id, i + 1, weight, stations, servers, noisePerHour * weight);
  });
  const seedText = String(params.seed);

  const queue = new MinHeap<Scheduled>(
    (a, b) => a.time < b.time || (a.time === b.time && a.order < b.order),
  );
  let order = 0;
  const schedule = (time: EpochMs, fire: Scheduled['fire']): void =>
    queue.push({ time, order: order++, fire });
  let alertSerial = 0;

  const entity = (slot: Slot, value: string): AlertEntity => {
    const type = SLOT_TYPES[slot];
    return {
      type,
      value,
      role: type === 'ip' ? (slot === 'victimIp' ? 'source' : 'destination') : null,
      hashAlgorithm: type === 'file_hash' ? 'sha256' : null,
    };
  };

  const makeAlert = (
    world: TenantWorld,
    template: RuleTemplate,
    slots: Partial<Record<Slot, string>>,
    time: EpochMs,
    label: AlertLabel,
    intel: readonly ThreatIntelVerdict[],
    confidence: number | null,
  ): LabeledAlert => {
    alertSerial += 1;
    const entities: AlertEntity[] = [];
    for (const slot of template.slots) {
      const value = slot === 'process' ? template.process : slots[slot];
      if (
        value !== undefined &&
        !entities.some((e) => e.type === SLOT_TYPES[slot] && e.value === value)
      ) {
        entities.push(entity(slot, value));
      }
    }
    const severity = rng.int(template.severity[0], template.severity[1]);
    // The title names the alert's first host, else its first user or mailbox.
    const subjectSlot =
      template.slots.find((slot) => SLOT_TYPES[slot] === 'host') ??
      template.slots.find((slot) => SLOT_TYPES[slot] === 'user' || SLOT_TYPES[slot] === 'email');
    const subject = subjectSlot === undefined ? '' : (slots[subjectSlot] ?? '');
    const late = rng.chance(lateFraction);
    const delay = late
      ? rng.between(3 * MINUTE, 30 * MINUTE)
      : Math.min(maxIngestDelayMs, 300 + rng.exponential(maxIngestDelayMs / 8));
    const alertId = `${template.sourceSystem}-${String(alertSerial).padStart(8, '0')}`;
    const alert: CanonicalAlert = {
      tenantId: world.id,
      alertId,
      sourceSystem: template.sourceSystem,
      observedAt: Math.round(time),
      ingestedAt: Math.round(time + delay),
      product: template.product,
      vendor: 'Simulated',
      ruleId: template.ruleId,
      ruleName: template.ruleName,
      title: subject === '' ? template.ruleName : `${template.ruleName} on ${subject}`,
      description: null,
      severity,
      severityLabel: severityLabel(severity),
      confidence,
      category: template.category,
      tactics: template.tactic === null ? [] : [template.tactic],
      techniques: template.technique === null ? [] : [template.technique],
      entities,
      threatIntel: intel,
      format: 'canonical',
      original: `simulated seed=${seedText} alert=${alertId}`,
    };
    return { alert, label };
  };

  const verdict = (
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

  // Background noise: a Poisson process per tenant, skewed towards a few noisy workstations.
  const noiseRate = (mix.noise * alertCount) / durationMs;
  for (const world of worlds) {
    const mean = 1 / (noiseRate * world.weight);
    if (!Number.isFinite(mean)) continue;
    const fire = (time: EpochMs) => (): LabeledAlert => {
      const next = time + rng.exponential(mean);
      schedule(next, fire(next));
      const station = rng.pickSkewed(world.workstations, 1.3);
      const template = rng.pick(NOISE_RULES);
      const externalIp = externalIpAt(pickIndex(rng, world.externalIps, 1.3));
      const intel: ThreatIntelVerdict[] = [];
      if (template.slots.includes('externalIp')) {
        if (rng.chance(0.02)) intel.push(verdict(externalIp, 'ip', 'malicious', rng.int(55, 85)));
        else if (rng.chance(0.08))
          intel.push(verdict(externalIp, 'ip', 'suspicious', rng.int(20, 60)));
      }
      return makeAlert(
        world,
        template,
        {
          victimHost: station.host,
          victimUser: station.user,
          victimEmail: station.email,
          victimIp: station.ip,
          payloadHash: hashAt(pickIndex(rng, world.noiseHashes, 1.3), world.salt),
          externalIp,
          benignDomain: benignDomainAt(pickIndex(rng, world.benignDomains, 1.3)),
        },
        time,
        { group: null, verdict: rng.chance(0.85) ? 'fp' : 'benign' },
        intel,
        rng.chance(0.4) ? null : rng.int(30, 80),
      );
    };
    const first = start + rng.exponential(mean);
    schedule(first, fire(first));
  }

  // Series, campaigns and admin bursts start as Poisson processes over the span, so setting
  // up costs the same for a thousand alerts as for a billion.
  const starter = (
    count: number,
    spanMs: number,
    onStart: (n: number, time: EpochMs) => void,
  ): void => {
    if (count <= 0) return;
    const mean = spanMs / count;
    let n = 0;
    const fire = (time: EpochMs) => (): undefined => {
      n += 1;
      onStart(n, time);
      const next = time + rng.exponential(mean);
      if (next <= start + spanMs) schedule(next, fire(next));
      return undefined;
    };
    const first = start + rng.exponential(mean);
    schedule(first, fire(first));
  };

  // Routine: scheduled jobs on servers, every 5-15 minutes with 1-3 % jitter, for hours.
  starter(routineSeries, 0.7 * durationMs, (n, begin) => {
    const world = worlds[n % worlds.length] as TenantWorld;
    const server = rng.pick(world.servers);
    const template = rng.pick(ROUTINE_RULES);
    const account = rng.pick(world.serviceAccounts);
    const period = rng.between(5 * MINUTE, 15 * MINUTE);
    const jitter = rng.between(0.01, 0.03);
    const end = begin + rng.between(0.3 * durationMs, durationMs);
    const label: AlertLabel = { group: `${world.id}:routine:${n}`, verdict: 'benign' };
    const fire = (time: EpochMs) => (): LabeledAlert | undefined => {
      if (time > end) return undefined;
      const next = time + period * (1 + rng.between(-jitter, jitter));
      schedule(next, fire(next));
      return makeAlert(
        world,
        template,
        { victimHost: server.host, victimIp: server.ip, adminUser: account },
        time,
        label,
        [],
        90,
      );
    };
    schedule(begin, fire(begin));
  });

  // Campaigns: initial access and execution, then up to 6 later stages in kill-chain order.
  const campaigns = Math.max(1, Math.round((mix.campaigns * alertCount) / 12));
  starter(campaigns, 0.9 * durationMs, (n, begin) =>
    scheduleCampaign(worlds[n % worlds.length] as TenantWorld, n, begin),
  );

  const scheduleCampaign = (world: TenantWorld, n: number, begin: EpochMs): void => {
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
    const slots: Partial<Record<Slot, string>> = {
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
    const intelFor = (template: RuleTemplate): ThreatIntelVerdict[] => {
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
    };
    const later = ATTACK_SCRIPT.slice(2).filter(() => rng.chance(0.35));
    const stages = [ATTACK_SCRIPT[0], ATTACK_SCRIPT[1], ...later.slice(0, 6)];
    const label: AlertLabel = { group: `${world.id}:campaign:${n}`, verdict: 'tp' };
    let time = begin;
    stages.forEach((stage, index) => {
      if (stage === undefined) return;
      if (index > 0)
        time += rng.chance(0.2)
          ? rng.between(20 * MINUTE, 3 * HOUR)
          : rng.between(1 * MINUTE, 10 * MINUTE);
      const beacon = stage.stage === 'command-and-control';
      const count = beacon ? rng.int(2, 6) : rng.int(1, 3);
      const beaconPeriod = rng.between(60 * SECOND, 300 * SECOND);
      for (let a = 0; a < count; a += 1) {
        if (a > 0)
          time += beacon
            ? beaconPeriod * (1 + rng.between(-0.3, 0.3))
            : rng.between(5 * SECOND, 3 * MINUTE);
        const template = rng.pick(stage.rules);
        const at = time;
        const confidence = rng.chance(0.3) ? null : rng.int(55, 95);
        schedule(at, () =>
          makeAlert(world, template, slots, at, label, intelFor(template), confidence),
        );
      }
    });
  };

  // Admin bursts: an IT admin manages several servers from a jump host within minutes.
  const adminBursts = Math.max(1, Math.round((mix.admin * alertCount) / 5));
  starter(adminBursts, 0.9 * durationMs, (n, begin) => {
    const world = worlds[n % worlds.length] as TenantWorld;
    const admin = rng.pick(world.admins);
    const jump =
      world.servers.find((server) => server.host.startsWith('jump')) ??
      (world.servers[0] as Server);
    const label: AlertLabel = { group: `${world.id}:admin:${n}`, verdict: 'benign' };
    let time = begin;
    const targets = rng.int(2, 5);
    for (let t = 0; t < targets; t += 1) {
      const station = rng.pick(world.workstations);
      const target = rng.chance(0.5)
        ? rng.pick(world.servers)
        : { host: station.host, ip: station.ip };
      const alerts = rng.int(1, 2);
      for (let a = 0; a < alerts; a += 1) {
        time += rng.between(20 * SECOND, 3 * MINUTE);
        const template = rng.pick(ADMIN_RULES);
        const at = time;
        const slots = {
          victimHost: jump.host,
          secondHost: target.host,
          secondIp: target.ip,
          adminUser: admin,
        };
        schedule(at, () =>
          makeAlert(
            world,
            template,
            slots,
            at,
            label,
            [],
            rng.chance(0.5) ? null : rng.int(40, 70),
          ),
        );
      }
    }
  });

  // Arrival order: alerts leave the buffer once no later-generated alert can arrive before them.
  const arrivals = new MinHeap<{ readonly labeled: LabeledAlert; readonly order: number }>(
    (a, b) =>
      a.labeled.alert.ingestedAt < b.labeled.alert.ingestedAt ||
      (a.labeled.alert.ingestedAt === b.labeled.alert.ingestedAt && a.order < b.order),
  );
  let produced = 0;
  while (produced < alertCount) {
    const next = queue.pop();
    if (next === undefined) break;
    const labeled = next.fire();
    if (labeled === undefined) continue;
    produced += 1;
    arrivals.push({ labeled, order: produced });
    for (
      let head = arrivals.peek();
      head !== undefined && head.labeled.alert.ingestedAt <= next.time;
      head = arrivals.peek()
    ) {
      arrivals.pop();
      yield head.labeled;
    }
  }
  for (let head = arrivals.pop(); head !== undefined; head = arrivals.pop()) yield head.labeled;
}

/** All of `generateTraffic` in an array (for tests and fixtures; the bench streams). */
export const generateLabeledAlerts = (params: TrafficParams): LabeledAlert[] => [
  ...generateTraffic(params),
];

/** One JSON-lines record: the canonical alert's fields plus its `label`. */
export const labeledAlertRecord = ({
  alert,
  label,
}: LabeledAlert): CanonicalAlert & { readonly label: AlertLabel } => ({
  ...alert,
  label,
});
