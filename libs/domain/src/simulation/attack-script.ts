import type { RuleTemplate } from './catalog';
import { edr, mail, net, idp } from './sources';

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
