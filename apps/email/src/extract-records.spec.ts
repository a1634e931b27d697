import { extractRecords, type AlertMail } from './extract-records';

const CEF =
  'CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 rt=1736931600000';
const LEEF =
  'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^devTime=1736931600000';

const mail = (overrides: Partial<AlertMail>): AlertMail => ({
  messageId: '<m1@siem.example>',
  subject: 'Alert',
  from: 'siem@example.com',
  date: new Date(Date.UTC(2025, 0, 15, 9, 0, 0)),
  text: '',
  attachments: [],
  ...overrides,
});

describe('alert records of an e-mail', () => {
  it('takes CEF and LEEF lines from the body and from text attachments', () => {
    const { records } = extractRecords(
      mail({
        text: `Two detections:\n${CEF}\n\nregards`,
        attachments: [
          {
            filename: 'events.leef',
            contentType: 'application/octet-stream',
            content: Buffer.from(`${LEEF}\n`),
          },
        ],
      }),
    );
    expect(records.map((r) => [r.format, r.origin])).toEqual([
      ['leef', 'attachment:events.leef'],
      ['cef', 'body'],
    ]);
    expect(records[1]?.value).toBe(CEF);
  });

  it('takes every JSON document of a JSON attachment, an array or JSON lines, detected by format', () => {
    const suricata = {
      timestamp: '2025-01-15T09:00:00Z',
      event_type: 'alert',
      src_ip: '10.0.0.1',
      alert: { signature: 'ET X', severity: 1 },
    };
    const { records } = extractRecords(
      mail({
        attachments: [
          {
            filename: 'alerts.json',
            contentType: 'application/json',
            content: Buffer.from(JSON.stringify([suricata, suricata])),
          },
          {
            filename: 'more.ndjson',
            contentType: 'application/x-ndjson',
            content: Buffer.from(`${JSON.stringify(suricata)}\nnot json\n`),
          },
        ],
      }),
    );
    expect(records.map((r) => r.format)).toEqual(['suricata', 'suricata', 'suricata']);
  });

  it('turns a mail written for people into one simple-json alert from its subject, body and date', () => {
    const { records } = extractRecords(
      mail({
        subject: '[HIGH] Brute force against vpn-gw',
        text: 'Many failed logins from 203.0.113.9 in 5 minutes.',
      }),
    );
    expect(records).toHaveLength(1);
    expect(records[0]?.format).toBe('simple-json');
    expect(JSON.parse(records[0]?.value ?? '{}')).toEqual({
      id: '<m1@siem.example>',
      title: '[HIGH] Brute force against vpn-gw',
      description: 'Many failed logins from 203.0.113.9 in 5 minutes.',
      timestamp: '2025-01-15T09:00:00.000Z',
      severity: 'high',
      source_ip: '203.0.113.9',
      reporter: 'siem@example.com',
    });
  });

  it('says when a mail has more records than it may produce', () => {
    const { records, truncated } = extractRecords(mail({ text: Array(1001).fill(CEF).join('\n') }));
    expect(records).toHaveLength(1000);
    expect(truncated).toBe(true);
  });
});
