import type { AlertFormat } from '@soc/contracts';
import { MAX_RECORD_BYTES, detectFormat } from '@soc/domain';

/** What the connector needs of a parsed e-mail (mailparser's result, narrowed). */
export interface AlertMail {
  readonly messageId: string | null;
  readonly subject: string;
  readonly from: string | null;
  readonly date: Date | null;
  /** The plain-text body, or the HTML body rendered as text when there is no plain part. */
  readonly text: string;
  readonly attachments: readonly MailAttachment[];
}

export interface MailAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  readonly content: Buffer;
}

/** One raw record for `soc.raw.<format>`, exactly what ingest reads from that topic. */
export interface RawRecord {
  readonly format: AlertFormat;
  readonly value: string;
  /** Where in the e-mail it came from: `attachment:<name>`, `body` or `message`. */
  readonly origin: string;
}

export const MAX_RECORDS_PER_MAIL = 1_000;
/** The description of an alert mail without structured content: enough to triage, bounded. */
const MAX_DESCRIPTION_CHARS = 8_000;

const JSON_ATTACHMENT = /\.(json|jsonl|ndjson)$/i;
const TEXT_ATTACHMENT = /\.(cef|leef|log|txt)$/i;
const SEVERITY_WORD = /\b(critical|high|medium|low|informational)\b/i;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/;

/** CEF and LEEF lines of a text, each with its format; other lines are not alerts. */
function markedLines(text: string, origin: string): RawRecord[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && Buffer.byteLength(line) <= MAX_RECORD_BYTES)
    .flatMap((line) => {
      const format = detectFormat(line);
      return format === 'cef' || format === 'leef' ? [{ format, value: line, origin }] : [];
    });
}

/** JSON documents of a text: one document, an array of them, or JSON lines. */
function jsonRecords(text: string, origin: string): RawRecord[] {
  const documents = parseJsonDocuments(text.trim());
  return documents.flatMap((document) => {
    const value = JSON.stringify(document);
    if (Buffer.byteLength(value) > MAX_RECORD_BYTES) return [];
    return [{ format: detectFormat(value) ?? 'simple-json', value, origin }];
  });
}

function parseJsonDocuments(text: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return text
      .split(/\r?\n/)
      .filter((line) => line.trim().startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as unknown];
        } catch {
          return [];
        }
      });
  }
}

function attachmentRecords(attachment: MailAttachment): RawRecord[] {
  const name = attachment.filename ?? '';
  const origin = `attachment:${name || attachment.contentType}`;
  const text = attachment.content.toString('utf8');
  if (JSON_ATTACHMENT.test(name) || /json/i.test(attachment.contentType))
    return jsonRecords(text, origin);
  if (TEXT_ATTACHMENT.test(name) || attachment.contentType.startsWith('text/'))
    return markedLines(text, origin);
  return [];
}

/**
 * An alert mail with no CEF, LEEF or JSON in it (a SIEM's notification written for people)
 * becomes one simple-json alert: the subject is the title, the body the description, the
 * mail's date the event time, a severity word of the subject or body the severity.
 */
function messageRecord(mail: AlertMail): RawRecord {
  const severity = SEVERITY_WORD.exec(mail.subject)?.[1] ?? SEVERITY_WORD.exec(mail.text)?.[1];
  const sourceIp = IPV4.exec(mail.text)?.[0];
  const record = {
    ...(mail.messageId ? { id: mail.messageId } : {}),
    title: mail.subject || 'E-mail alert',
    description: mail.text.trim().slice(0, MAX_DESCRIPTION_CHARS),
    timestamp: (mail.date ?? new Date(0)).toISOString(),
    severity: (severity ?? 'medium').toLowerCase(),
    ...(sourceIp ? { source_ip: sourceIp } : {}),
    ...(mail.from ? { reporter: mail.from } : {}),
  };
  return { format: 'simple-json', value: JSON.stringify(record), origin: 'message' };
}

/**
 * The raw alert records of one mail: CEF, LEEF and JSON from attachments and from the body;
 * when there are none, the mail itself as one alert. Pure; bounded to MAX_RECORDS_PER_MAIL
 * (the caller dead-letters a mail over it rather than producing part of it).
 */
export function extractRecords(mail: AlertMail): { records: RawRecord[]; truncated: boolean } {
  const structured = [
    ...mail.attachments.flatMap(attachmentRecords),
    ...(/^\s*[[{]/.test(mail.text)
      ? jsonRecords(mail.text, 'body')
      : markedLines(mail.text, 'body')),
  ];
  const records = structured.length > 0 ? structured : [messageRecord(mail)];
  return {
    records: records.slice(0, MAX_RECORDS_PER_MAIL),
    truncated: records.length > MAX_RECORDS_PER_MAIL,
  };
}
