/**
 * The canonical alert: every supported SIEM format is normalized into this one shape before
 * it reaches `soc.alerts.v1`. Field meanings follow OCSF Detection Finding and ECS where they
 * overlap (see schemas/README.md). Absent values are `null`, never `undefined`, so the type
 * and the Avro schema (schemas/alerts/) say the same thing.
 */
export type EpochMs = number;

export const ALERT_FORMATS = [
  'canonical',
  'simple-json',
  'elastic',
  'ocsf',
  'cef',
  'leef',
  'suricata',
  'wazuh',
  'splunk',
  'ms-graph',
  'aminer',
] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

export const ENTITY_TYPES = [
  'host',
  'user',
  'ip',
  'file_hash',
  'domain',
  'url',
  'process',
  'email',
  'cloud_resource',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export type IpRole = 'source' | 'destination';
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256';

/**
 * One observable of an alert. `value` is normalized by the normalizers (lower-cased host,
 * domain, hash and e-mail; users as `DOMAIN\\name` folded to lower case), so equal entities
 * compare equal as strings. `role` is set for IPs, `hashAlgorithm` for file hashes.
 */
export interface AlertEntity {
  readonly type: EntityType;
  readonly value: string;
  readonly role: IpRole | null;
  readonly hashAlgorithm: HashAlgorithm | null;
}

export type ThreatIntelVerdictLabel = 'malicious' | 'suspicious' | 'benign' | 'unknown';

/** A threat-intel lookup result for one indicator of the alert. Absent means unknown. */
export interface ThreatIntelVerdict {
  readonly indicator: string;
  readonly indicatorType: EntityType;
  readonly source: string;
  readonly verdict: ThreatIntelVerdictLabel;
  /** 0-100: how strongly the source believes the indicator is malicious. */
  readonly score: number;
}

export interface CanonicalAlert {
  readonly tenantId: string;
  /** The sender's own id of the alert; with tenantId and sourceSystem it identifies a delivery. */
  readonly alertId: string;
  /** Which deployment sent it (a Splunk instance, a sensor name); defaults to the format. */
  readonly sourceSystem: string;
  /** Event time: when the detection fired, per the source. Drives correlation windows. */
  readonly observedAt: EpochMs;
  /** Arrival time at ingest. Never used to decide what belongs together. */
  readonly ingestedAt: EpochMs;
  /**
   * True when the record carried no time of its own (a Splunk webhook without `_time`, CEF
   * without `rt`, LEEF without `devTime`) and `observedAt` is the arrival time instead.
   * Absent on alerts written before the field existed; the Avro default is false.
   */
  readonly observedAtFromArrival?: boolean;
  readonly product: string | null;
  readonly vendor: string | null;
  readonly ruleId: string | null;
  readonly ruleName: string | null;
  readonly title: string;
  readonly description: string | null;
  /** 0-100, normalized from the source's own scale. */
  readonly severity: number;
  /** The source's own severity label or number, as text. */
  readonly severityLabel: string;
  /** 0-100 when the source states a confidence, else null. */
  readonly confidence: number | null;
  readonly category: string | null;
  /** MITRE ATT&CK tactic ids or names (TA0001 or initial-access), as given. */
  readonly tactics: readonly string[];
  /** MITRE ATT&CK technique ids (T1059, T1059.001). */
  readonly techniques: readonly string[];
  readonly entities: readonly AlertEntity[];
  readonly threatIntel: readonly ThreatIntelVerdict[];
  readonly format: AlertFormat;
  /** The record as received (JSON text or the raw line), for the analyst and the audit trail. */
  readonly original: string;
}
