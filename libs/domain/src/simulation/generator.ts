import type { CanonicalAlert, EpochMs } from '@soc/contracts';
import { TrafficRun } from './traffic';

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
  const run = new TrafficRun(params, {
    mix: normalizedMix(params.mix),
    start: params.startTime ?? DEFAULT_START_TIME,
  });
  run.scheduleAll();
  yield* run.arrivals();
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
