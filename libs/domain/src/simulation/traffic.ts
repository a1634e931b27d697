import type { AlertEntity, CanonicalAlert, EpochMs, ThreatIntelVerdict } from '@soc/contracts';
import {
  ADMIN_RULES,
  ROUTINE_RULES,
  SERVER_ROLES,
  SLOT_TYPES,
  TENANT_NAMES,
  type RuleTemplate,
  type Slot,
} from './catalog';
import type { AlertLabel, LabeledAlert, TrafficMix, TrafficParams } from './generator';
import { ATTACK_SCRIPT } from './attack-script';
import { campaignIntel, campaignSlots } from './campaign-plan';
import { MinHeap } from './heap';
import { MEAN_ALERTS_PER_NOISE_EVENT, noiseEvent } from './noise';
import { mulberry32, type Prng } from './prng';
import { buildWorld, type Server, type TenantWorld } from './world';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/**
 * Periods of scheduled jobs, log-uniform: monitoring probes every minute or two as often as
 * quarter-hourly backups and updates, as in a real SIEM's routine stream.
 */
const ROUTINE_PERIOD = { min: 1 * MINUTE, max: 15 * MINUTE } as const;
const MEAN_ROUTINE_PERIOD =
  (ROUTINE_PERIOD.max - ROUTINE_PERIOD.min) / Math.log(ROUTINE_PERIOD.max / ROUTINE_PERIOD.min);

interface Scheduled {
  readonly time: EpochMs;
  readonly order: number;
  readonly fire: () => LabeledAlert | undefined;
}

/** What an alert of a template is about: its slot values, time, label, intel and confidence. */
interface AlertFacts {
  readonly slots: Partial<Record<Slot, string>>;
  readonly time: EpochMs;
  readonly label: AlertLabel;
  readonly intel: readonly ThreatIntelVerdict[];
  readonly confidence: number | null;
}

const severityLabel = (severity: number): string =>
  severity < 25 ? 'low' : severity < 50 ? 'medium' : severity < 75 ? 'high' : 'critical';

const entityOf = (slot: Slot, value: string): AlertEntity => {
  const type = SLOT_TYPES[slot];
  return {
    type,
    value,
    role: type === 'ip' ? (slot === 'victimIp' ? 'source' : 'destination') : null,
    hashAlgorithm: type === 'file_hash' ? 'sha256' : null,
  };
};

/**
 * One run of the traffic generator: the tenants' worlds, an event-time queue of scheduled
 * alerts, and the activities that fill it. Every random draw comes from one seeded PRNG in
 * a fixed order, so a seed always gives the same alerts.
 */
export class TrafficRun {
  private readonly rng: Prng;
  private readonly alertCount: number;
  private readonly durationMs: number;
  private readonly start: EpochMs;
  private readonly mix: TrafficMix;
  private readonly maxIngestDelayMs: number;
  private readonly lateFraction: number;
  private readonly routineSeries: number;
  private readonly worlds: readonly TenantWorld[];
  private readonly seedText: string;
  private readonly queue = new MinHeap<Scheduled>(
    (a, b) => a.time < b.time || (a.time === b.time && a.order < b.order),
  );
  private order = 0;
  private alertSerial = 0;

  constructor(
    params: TrafficParams,
    resolved: { readonly mix: TrafficMix; readonly start: EpochMs },
  ) {
    const mix = resolved.mix;
    this.rng = mulberry32(params.seed);
    this.alertCount = Math.max(0, Math.floor(params.alertCount));
    this.durationMs =
      params.durationMs ??
      Math.max(MINUTE, Math.round((this.alertCount / (params.ratePerSecond ?? 1)) * SECOND));
    this.start = resolved.start;
    this.mix = mix;
    this.maxIngestDelayMs = params.maxIngestDelayMs ?? 20 * SECOND;
    this.lateFraction = params.lateFraction ?? 0.002;
    const tenantIds =
      typeof params.tenants === 'object'
        ? [...params.tenants]
        : Array.from(
            { length: params.tenants ?? 3 },
            (_, i) => TENANT_NAMES[i] ?? `tenant-${i + 1}`,
          );
    const meanActive = 0.65 * this.durationMs;
    const routinePerSeries = Math.max(1, meanActive / MEAN_ROUTINE_PERIOD);
    this.routineSeries = Math.max(
      tenantIds.length,
      Math.round((mix.routine * this.alertCount) / routinePerSeries),
    );
    this.worlds = this.buildWorlds(tenantIds);
    this.seedText = String(params.seed);
  }

  private buildWorlds(tenantIds: readonly string[]): TenantWorld[] {
    const rawWeights = tenantIds.map((_, i) => 1 / Math.sqrt(i + 1));
    const weightSum = rawWeights.reduce((a, b) => a + b, 0);
    // Workstations scale with the noise volume: about one noise alert per workstation per two
    // hours, as in a SOC where most hosts are quiet and a few are noisy.
    const noisePerHour = (this.mix.noise * this.alertCount) / (this.durationMs / HOUR);
    return tenantIds.map((id, i) => {
      const weight = (rawWeights[i] as number) / weightSum;
      const stations = Math.round(Math.min(60_000, Math.max(40, 2 * noisePerHour * weight)));
      // Servers scale with the scheduled jobs, so that most jobs run on a server of their own.
      const servers = Math.min(
        20_000,
        Math.max(SERVER_ROLES.length * 2, Math.ceil((3 * this.routineSeries) / tenantIds.length)),
      );
      const size = {
        id,
        index: i + 1,
        weight,
        stations,
        servers,
        noisePerHour: noisePerHour * weight,
      };
      return buildWorld(this.rng, size);
    });
  }

  private schedule(time: EpochMs, fire: Scheduled['fire']): void {
    this.queue.push({ time, order: this.order++, fire });
  }

  private makeAlert(world: TenantWorld, template: RuleTemplate, facts: AlertFacts): LabeledAlert {
    const rng = this.rng;
    const { slots, time, label } = facts;
    this.alertSerial += 1;
    const entities: AlertEntity[] = [];
    for (const slot of template.slots) {
      const value = slot === 'process' ? template.process : slots[slot];
      if (
        value !== undefined &&
        !entities.some((e) => e.type === SLOT_TYPES[slot] && e.value === value)
      ) {
        entities.push(entityOf(slot, value));
      }
    }
    const severity = rng.int(template.severity[0], template.severity[1]);
    // The title names the alert's first host, else its first user or mailbox.
    const subjectSlot =
      template.slots.find((slot) => SLOT_TYPES[slot] === 'host') ??
      template.slots.find((slot) => SLOT_TYPES[slot] === 'user' || SLOT_TYPES[slot] === 'email');
    const subject = subjectSlot === undefined ? '' : (slots[subjectSlot] ?? '');
    const late = rng.chance(this.lateFraction);
    const delay = late
      ? rng.between(3 * MINUTE, 30 * MINUTE)
      : Math.min(this.maxIngestDelayMs, 300 + rng.exponential(this.maxIngestDelayMs / 8));
    const alertId = `${template.sourceSystem}-${String(this.alertSerial).padStart(8, '0')}`;
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
      confidence: facts.confidence,
      category: template.category,
      tactics: template.tactic === null ? [] : [template.tactic],
      techniques: template.technique === null ? [] : [template.technique],
      entities,
      threatIntel: facts.intel,
      format: 'canonical',
      original: `simulated seed=${this.seedText} alert=${alertId}`,
    };
    return { alert, label };
  }

  /** Schedules every activity, in the order their first random draws were always made. */
  scheduleAll(): void {
    const { mix, alertCount, durationMs } = this;
    for (const world of this.worlds) this.scheduleNoise(world);
    // Routine: scheduled jobs on servers, every 1-15 minutes with 1-3 % jitter, for hours.
    this.starter(this.routineSeries, 0.7 * durationMs, (n, begin) => this.routine(n, begin));
    // Campaigns: initial access and execution, then up to 6 later stages in kill-chain order.
    const campaigns = Math.max(1, Math.round((mix.campaigns * alertCount) / 12));
    this.starter(campaigns, 0.9 * durationMs, (n, begin) =>
      this.campaign(this.worlds[n % this.worlds.length] as TenantWorld, n, begin),
    );
    // Admin bursts: an IT admin manages several servers from a jump host within minutes.
    const adminBursts = Math.max(1, Math.round((mix.admin * alertCount) / 5));
    this.starter(adminBursts, 0.9 * durationMs, (n, begin) => this.adminBurst(n, begin));
  }

  /**
   * Background noise: noise events (bursts of one rule on one workstation, skewed towards a
   * few noisy ones, and now and then a scan) as a Poisson process per tenant, spaced so that
   * the alerts they make keep the noise share of the requested rate.
   */
  private scheduleNoise(world: TenantWorld): void {
    const rng = this.rng;
    const noiseRate = (this.mix.noise * this.alertCount) / this.durationMs;
    const mean = MEAN_ALERTS_PER_NOISE_EVENT / (noiseRate * world.weight);
    if (!Number.isFinite(mean)) return;
    const fire = (time: EpochMs) => (): undefined => {
      const next = time + rng.exponential(mean);
      this.schedule(next, fire(next));
      this.noise(world, time);
      return undefined;
    };
    const first = this.start + rng.exponential(mean);
    this.schedule(first, fire(first));
  }

  private noise(world: TenantWorld, begin: EpochMs): void {
    const rng = this.rng;
    const { template, label, intel, alerts } = noiseEvent(rng, world);
    for (const { offsetMs, slots } of alerts) {
      const time = begin + offsetMs;
      this.schedule(time, () => {
        const confidence = rng.chance(0.4) ? null : rng.int(30, 80);
        return this.makeAlert(world, template, { slots, time, label, intel, confidence });
      });
    }
  }

  /**
   * Series, campaigns and admin bursts start as Poisson processes over the span, so setting
   * up costs the same for a thousand alerts as for a billion.
   */
  private starter(
    count: number,
    spanMs: number,
    onStart: (n: number, time: EpochMs) => void,
  ): void {
    if (count <= 0) return;
    const rng = this.rng;
    const mean = spanMs / count;
    let n = 0;
    const fire = (time: EpochMs) => (): undefined => {
      n += 1;
      onStart(n, time);
      const next = time + rng.exponential(mean);
      if (next <= this.start + spanMs) this.schedule(next, fire(next));
      return undefined;
    };
    const first = this.start + rng.exponential(mean);
    this.schedule(first, fire(first));
  }

  private routine(n: number, begin: EpochMs): void {
    const rng = this.rng;
    const world = this.worlds[n % this.worlds.length] as TenantWorld;
    const server = rng.pick(world.servers);
    const template = rng.pick(ROUTINE_RULES);
    const account = rng.pick(world.serviceAccounts);
    const period =
      ROUTINE_PERIOD.min * (ROUTINE_PERIOD.max / ROUTINE_PERIOD.min) ** rng.between(0, 1);
    const jitter = rng.between(0.01, 0.03);
    const end = begin + rng.between(0.3 * this.durationMs, this.durationMs);
    const label: AlertLabel = { group: `${world.id}:routine:${n}`, verdict: 'benign' };
    const slots = { victimHost: server.host, victimIp: server.ip, adminUser: account };
    const fire = (time: EpochMs) => (): LabeledAlert | undefined => {
      if (time > end) return undefined;
      const next = time + period * (1 + rng.between(-jitter, jitter));
      this.schedule(next, fire(next));
      return this.makeAlert(world, template, { slots, time, label, intel: [], confidence: 90 });
    };
    this.schedule(begin, fire(begin));
  }

  private campaign(world: TenantWorld, n: number, begin: EpochMs): void {
    const rng = this.rng;
    const slots = campaignSlots(rng, world);
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
        this.schedule(at, () => {
          const intel = campaignIntel(rng, template, slots);
          return this.makeAlert(world, template, { slots, time: at, label, intel, confidence });
        });
      }
    });
  }

  private adminBurst(n: number, begin: EpochMs): void {
    const rng = this.rng;
    const world = this.worlds[n % this.worlds.length] as TenantWorld;
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
        this.schedule(at, () => {
          const confidence = rng.chance(0.5) ? null : rng.int(40, 70);
          return this.makeAlert(world, template, { slots, time: at, label, intel: [], confidence });
        });
      }
    }
  }

  /** Arrival order: alerts leave the buffer once no later-generated alert can arrive before them. */
  *arrivals(): Generator<LabeledAlert> {
    const arrivals = new MinHeap<{ readonly labeled: LabeledAlert; readonly order: number }>(
      (a, b) =>
        a.labeled.alert.ingestedAt < b.labeled.alert.ingestedAt ||
        (a.labeled.alert.ingestedAt === b.labeled.alert.ingestedAt && a.order < b.order),
    );
    let produced = 0;
    while (produced < this.alertCount) {
      const next = this.queue.pop();
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
}
