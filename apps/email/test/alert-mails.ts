// Test support: alert mails of four kinds (CEF attachment, LEEF in the body, JSON attachment,
// an HTML note), each with a known number of records, and delivery into dovecot over LMTP.
import { createTransport } from 'nodemailer';
import { MAIL_DOMAIN } from '../../../test/support/mail-servers';

export const CEF = (i: number) =>
  `CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.${i} dst=2.1.2.2 rt=1736931600000`;
const LEEF = (i: number) =>
  `LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.${i}^dst=10.0.0.5^devTime=1736931600000`;
const suricata = (i: number) => ({
  timestamp: '2025-01-15T09:00:00.000Z',
  event_type: 'alert',
  src_ip: `10.0.2.${i}`,
  dest_ip: '10.0.0.5',
  alert: { signature: `ET TROJAN ${i}`, severity: 1, signature_id: 2000 + i },
});

/** Four kinds of alert mail, each with a known number of records. */
export function alertMail(i: number): { message: Record<string, unknown>; records: number } {
  const base = {
    from: 'siem@corp.example',
    to: `alerts@${MAIL_DOMAIN}`,
    messageId: `<alert-${i}@corp.example>`,
  };
  switch (i % 4) {
    case 0:
      return {
        message: {
          ...base,
          subject: `CEF export ${i}`,
          text: 'see attachment',
          attachments: [{ filename: 'events.cef', content: `${CEF(i)}\n${CEF(i + 100)}\n` }],
        },
        records: 2,
      };
    case 1:
      return {
        message: { ...base, subject: `LEEF ${i}`, text: `Detection:\n${LEEF(i)}\n-- \nSIEM` },
        records: 1,
      };
    case 2:
      return {
        message: {
          ...base,
          subject: `JSON ${i}`,
          text: 'attached',
          attachments: [
            {
              filename: 'alerts.json',
              content: JSON.stringify([suricata(i), suricata(i + 100)]),
              contentType: 'application/json',
            },
          ],
        },
        records: 2,
      };
    default:
      return {
        message: {
          ...base,
          subject: `[CRITICAL] Ransomware note on fs-${i}`,
          html: `<p>Host <b>fs-${i}</b> wrote ransom notes; source 192.0.2.${i}.</p>`,
        },
        records: 1,
      };
  }
}

/** LMTP into dovecot: the way a mail server hands a message to the mailbox. */
export async function deliverOverLmtp(
  port: number,
  mails: readonly Record<string, unknown>[],
): Promise<void> {
  const lmtp = createTransport({
    host: '127.0.0.1',
    port,
    lmtp: true,
    secure: false,
    ignoreTLS: true,
  });
  try {
    for (const mail of mails) await lmtp.sendMail(mail);
  } finally {
    lmtp.close();
  }
}
