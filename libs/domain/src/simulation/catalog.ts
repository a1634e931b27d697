import type { EntityType } from '@soc/contracts';

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

const edr = { sourceSystem: 'edr-prod', product: 'Endpoint Sensor' };
const mail = { sourceSystem: 'mail-gateway', product: 'Mail Gateway' };
const net = { sourceSystem: 'fw-core', product: 'NGFW' };
const idp = { sourceSystem: 'idp-prod', product: 'Identity Provider' };

/** Kill-chain stages of simulated attacks, in ATT&CK order, each with its detections. */
export const ATTACK_SCRIPT: readonly {
  readonly stage: string;
  readonly rules: readonly RuleTemplate[];
}[] = [
  {
    stage: 'initial-access',
    rules: [
      {
        ruleId: 'MAIL-2001',
        ruleName: 'Phishing link in inbound email',
        ...mail,
        category: 'phishing',
        tactic: 'TA0001',
        technique: 'T1566.002',
        severity: [45, 65],
        slots: ['victimEmail', 'victimUser', 'phishDomain', 'phishUrl'],
      },
      {
        ruleId: 'EDR-1101',
        ruleName: 'Office application spawned a script host',
        ...edr,
        category: 'malware',
        tactic: 'TA0001',
        technique: 'T1566.001',
        severity: [60, 80],
        slots: ['victimHost', 'victimUser', 'payloadHash', 'process'],
        process: 'winword.exe',
      },
      {
        ruleId: 'NET-3101',
        ruleName: 'User visited newly registered domain',
        ...net,
        category: 'network',
        tactic: 'TA0001',
        technique: 'T1189',
        severity: [40, 60],
        slots: ['victimHost', 'victimIp', 'phishDomain', 'phishUrl'],
      },
    ],
  },
  {
    stage: 'execution',
    rules: [
      {
        ruleId: 'EDR-1201',
        ruleName: 'Encoded PowerShell command line',
        ...edr,
        category: 'execution',
        tactic: 'TA0002',
        technique: 'T1059.001',
        severity: [60, 80],
        slots: ['victimHost', 'victimUser', 'process'],
        process: 'powershell.exe',
      },
      {
        ruleId: 'EDR-1202',
        ruleName: 'Unsigned binary executed from user profile',
        ...edr,
        category: 'execution',
        tactic: 'TA0002',
        technique: 'T1204.002',
        severity: [55, 75],
        slots: ['victimHost', 'victimUser', 'payloadHash'],
      },
    ],
  },
  {
    stage: 'persistence',
    rules: [
      {
        ruleId: 'EDR-1301',
        ruleName: 'Registry run key added',
        ...edr,
        category: 'persistence',
        tactic: 'TA0003',
        technique: 'T1547.001',
        severity: [55, 70],
        slots: ['victimHost', 'victimUser', 'payloadHash'],
      },
      {
        ruleId: 'EDR-1302',
        ruleName: 'Scheduled task created by script host',
        ...edr,
        category: 'persistence',
        tactic: 'TA0003',
        technique: 'T1053.005',
        severity: [50, 70],
        slots: ['victimHost', 'victimUser', 'process'],
        process: 'schtasks.exe',
      },
    ],
  },
  {
    stage: 'privilege-escalation',
    rules: [
      {
        ruleId: 'EDR-1401',
        ruleName: 'UAC bypass via fodhelper',
        ...edr,
        category: 'privilege-escalation',
        tactic: 'TA0004',
        technique: 'T1548.002',
        severity: [65, 85],
        slots: ['victimHost', 'victimUser'],
      },
    ],
  },
  {
    stage: 'defense-evasion',
    rules: [
      {
        ruleId: 'EDR-1501',
        ruleName: 'Endpoint protection tampering',
        ...edr,
        category: 'defense-evasion',
        tactic: 'TA0005',
        technique: 'T1562.001',
        severity: [70, 85],
        slots: ['victimHost', 'victimUser'],
      },
    ],
  },
  {
    stage: 'credential-access',
    rules: [
      {
        ruleId: 'EDR-1601',
        ruleName: 'LSASS memory read by unusual process',
        ...edr,
        category: 'credential-access',
        tactic: 'TA0006',
        technique: 'T1003.001',
        severity: [75, 90],
        slots: ['victimHost', 'victimUser', 'process'],
        process: 'rundll32.exe',
      },
      {
        ruleId: 'IDP-4601',
        ruleName: 'Password spray against directory',
        ...idp,
        category: 'credential-access',
        tactic: 'TA0006',
        technique: 'T1110.003',
        severity: [55, 75],
        slots: ['victimIp', 'adminUser'],
      },
    ],
  },
  {
    stage: 'discovery',
    rules: [
      {
        ruleId: 'EDR-1701',
        ruleName: 'Domain trust and group enumeration',
        ...edr,
        category: 'discovery',
        tactic: 'TA0007',
        technique: 'T1482',
        severity: [40, 60],
        slots: ['victimHost', 'victimUser', 'process'],
        process: 'nltest.exe',
      },
    ],
  },
  {
    stage: 'lateral-movement',
    rules: [
      {
        ruleId: 'EDR-1801',
        ruleName: 'Remote service installed over SMB',
        ...edr,
        category: 'lateral-movement',
        tactic: 'TA0008',
        technique: 'T1021.002',
        severity: [65, 85],
        slots: ['victimHost', 'secondHost', 'adminUser', 'secondIp'],
      },
      {
        ruleId: 'IDP-4801',
        ruleName: 'Interactive logon with privileged account from workstation',
        ...idp,
        category: 'lateral-movement',
        tactic: 'TA0008',
        technique: 'T1078.002',
        severity: [55, 75],
        slots: ['secondHost', 'adminUser', 'victimIp'],
      },
    ],
  },
  {
    stage: 'collection',
    rules: [
      {
        ruleId: 'EDR-1901',
        ruleName: 'Large archive created in temp folder',
        ...edr,
        category: 'collection',
        tactic: 'TA0009',
        technique: 'T1560.001',
        severity: [50, 70],
        slots: ['secondHost', 'adminUser', 'process'],
        process: '7z.exe',
      },
    ],
  },
  {
    stage: 'command-and-control',
    rules: [
      {
        ruleId: 'NET-3201',
        ruleName: 'Periodic beaconing to rare domain',
        ...net,
        category: 'command-and-control',
        tactic: 'TA0011',
        technique: 'T1071.001',
        severity: [65, 85],
        slots: ['victimHost', 'victimIp', 'c2Domain', 'c2Ip'],
      },
    ],
  },
  {
    stage: 'exfiltration',
    rules: [
      {
        ruleId: 'NET-3301',
        ruleName: 'Large outbound transfer to rare host',
        ...net,
        category: 'exfiltration',
        tactic: 'TA0010',
        technique: 'T1041',
        severity: [70, 90],
        slots: ['secondHost', 'secondIp', 'c2Ip', 'c2Domain'],
      },
    ],
  },
  {
    stage: 'impact',
    rules: [
      {
        ruleId: 'EDR-2001',
        ruleName: 'Mass file encryption',
        ...edr,
        category: 'impact',
        tactic: 'TA0040',
        technique: 'T1486',
        severity: [88, 99],
        slots: ['secondHost', 'adminUser', 'payloadHash'],
      },
    ],
  },
];

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
