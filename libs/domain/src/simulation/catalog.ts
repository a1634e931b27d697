import type { EntityType } from '@soc/contracts';
import { edr, mail, net, idp } from './sources';

/**
 * What the simulated detections look like. Rule names and ATT&CK references follow common
 * EDR, mail, identity and network detections; severities are on the canonical 0-100 scale.
 */

/** An entity slot a template fills from the scenario (`victimHost`, `c2Domain`, ...). */
export type Slot =
  | 'victimHost'
  | 'victimUser'
  | 'victimEmail'
  | 'victimIp'
  | 'secondHost'
  | 'secondIp'
  | 'adminUser'
  | 'phishDomain'
  | 'phishUrl'
  | 'payloadHash'
  | 'c2Domain'
  | 'c2Ip'
  | 'process'
  | 'externalIp'
  | 'benignDomain';

export interface RuleTemplate {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly sourceSystem: string;
  readonly product: string;
  readonly category: string;
  readonly tactic: string | null;
  readonly technique: string | null;
  readonly severity: readonly [number, number];
  readonly slots: readonly Slot[];
  readonly process?: string;
}

/** Everyday detections that are mostly false positives: the background of any SOC. */
export const NOISE_RULES: readonly RuleTemplate[] = [
  {
    ruleId: 'EDR-5001',
    ruleName: 'Potentially unwanted application detected',
    ...edr,
    category: 'malware',
    tactic: null,
    technique: null,
    severity: [15, 35],
    slots: ['victimHost', 'victimUser', 'payloadHash'],
  },
  {
    ruleId: 'EDR-5002',
    ruleName: 'Suspicious PowerShell command line',
    ...edr,
    category: 'execution',
    tactic: 'TA0002',
    technique: 'T1059.001',
    severity: [30, 55],
    slots: ['victimHost', 'victimUser', 'process'],
    process: 'powershell.exe',
  },
  {
    ruleId: 'IDP-5101',
    ruleName: 'Multiple failed logons',
    ...idp,
    category: 'authentication',
    tactic: 'TA0006',
    technique: 'T1110',
    severity: [20, 45],
    slots: ['victimUser', 'victimIp'],
  },
  {
    ruleId: 'IDP-5102',
    ruleName: 'Sign-in from unfamiliar location',
    ...idp,
    category: 'authentication',
    tactic: 'TA0001',
    technique: 'T1078',
    severity: [25, 50],
    slots: ['victimUser', 'externalIp'],
  },
  {
    ruleId: 'NET-5201',
    ruleName: 'Connection to low-reputation IP',
    ...net,
    category: 'network',
    tactic: 'TA0011',
    technique: 'T1071',
    severity: [20, 45],
    slots: ['victimHost', 'victimIp', 'externalIp'],
  },
  {
    ruleId: 'NET-5202',
    ruleName: 'DNS query for uncategorised domain',
    ...net,
    category: 'network',
    tactic: null,
    technique: null,
    severity: [10, 30],
    slots: ['victimHost', 'benignDomain'],
  },
  {
    ruleId: 'MAIL-5301',
    ruleName: 'Bulk mail with tracking links',
    ...mail,
    category: 'phishing',
    tactic: null,
    technique: null,
    severity: [10, 25],
    slots: ['victimEmail', 'benignDomain'],
  },
  {
    ruleId: 'EDR-5003',
    ruleName: 'Admin tool executed by user',
    ...edr,
    category: 'execution',
    tactic: 'TA0002',
    technique: 'T1569.002',
    severity: [30, 50],
    slots: ['victimHost', 'victimUser', 'process'],
    process: 'psexec.exe',
  },
];

/** An Internet scanner probing the perimeter: one external source, many internal targets. */
export const SCAN_RULE: RuleTemplate = {
  ruleId: 'NET-5203',
  ruleName: 'Inbound port scan',
  ...net,
  category: 'network',
  tactic: 'TA0043',
  technique: 'T1595',
  severity: [15, 35],
  slots: ['externalIp', 'victimHost', 'victimIp'],
};

/** Scheduled, steady activity on servers that trips a rule every few minutes. */
export const ROUTINE_RULES: readonly RuleTemplate[] = [
  {
    ruleId: 'EDR-6001',
    ruleName: 'Backup agent mass file read',
    ...edr,
    category: 'collection',
    tactic: 'TA0009',
    technique: 'T1005',
    severity: [35, 50],
    slots: ['victimHost', 'adminUser'],
  },
  {
    ruleId: 'NET-6101',
    ruleName: 'Internal port scan',
    ...net,
    category: 'discovery',
    tactic: 'TA0007',
    technique: 'T1046',
    severity: [40, 55],
    slots: ['victimHost', 'victimIp'],
  },
  {
    ruleId: 'EDR-6002',
    ruleName: 'Scheduled script executed with system rights',
    ...edr,
    category: 'execution',
    tactic: 'TA0002',
    technique: 'T1053.005',
    severity: [30, 45],
    slots: ['victimHost', 'adminUser', 'process'],
    process: 'cscript.exe',
  },
  {
    ruleId: 'IDP-6201',
    ruleName: 'Service account logon to many hosts',
    ...idp,
    category: 'authentication',
    tactic: 'TA0008',
    technique: 'T1078.002',
    severity: [35, 50],
    slots: ['adminUser', 'victimIp'],
  },
];

/** Legitimate administration that looks like lateral movement: benign, but not noise. */
export const ADMIN_RULES: readonly RuleTemplate[] = [
  {
    ruleId: 'EDR-1801',
    ruleName: 'Remote service installed over SMB',
    ...edr,
    category: 'lateral-movement',
    tactic: 'TA0008',
    technique: 'T1021.002',
    severity: [55, 75],
    slots: ['victimHost', 'secondHost', 'adminUser', 'secondIp'],
  },
  {
    ruleId: 'EDR-5003',
    ruleName: 'Admin tool executed by user',
    ...edr,
    category: 'execution',
    tactic: 'TA0002',
    technique: 'T1569.002',
    severity: [35, 55],
    slots: ['secondHost', 'adminUser', 'process'],
    process: 'psexec.exe',
  },
  {
    ruleId: 'EDR-1701',
    ruleName: 'Domain trust and group enumeration',
    ...edr,
    category: 'discovery',
    tactic: 'TA0007',
    technique: 'T1482',
    severity: [40, 55],
    slots: ['victimHost', 'adminUser', 'process'],
    process: 'nltest.exe',
  },
];

export const SLOT_TYPES: { readonly [S in Slot]: EntityType } = {
  victimHost: 'host',
  victimUser: 'user',
  victimEmail: 'email',
  victimIp: 'ip',
  secondHost: 'host',
  secondIp: 'ip',
  adminUser: 'user',
  phishDomain: 'domain',
  phishUrl: 'url',
  payloadHash: 'file_hash',
  c2Domain: 'domain',
  c2Ip: 'ip',
  process: 'process',
  externalIp: 'ip',
  benignDomain: 'domain',
};

export const FIRST_NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yara',
  'zoe',
  'omar',
  'lena',
  'kofi',
];

export const TENANT_NAMES = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'stark',
  'wayne',
  'tyrell',
];

export const SERVER_ROLES = ['dc', 'fs', 'db', 'web', 'mail', 'app', 'backup', 'jump'];
