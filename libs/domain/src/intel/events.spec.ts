// eslint-disable-next-line no-restricted-imports -- the spec reads the schema file; the mapping itself stays pure
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Schema } from 'avsc';
import type { IntelEvent } from '@soc/contracts';
import { intelAvroMapping, lookupDeferred, verdictRecorded } from './events';
import { canonicalIndicator, type Indicator } from './indicators';
import { DEFAULT_VERDICT_TTLS, stampVerdict } from './verdicts';

const schema = JSON.parse(
  readFileSync(
    join(__dirname, '..', '..', '..', '..', 'schemas', 'intel', 'soc.intel.v1-value.avsc'),
    'utf8',
  ),
) as Schema;
const type = Type.forSchema(schema);
const ip = canonicalIndicator('ip', '118.25.6.39') as Indicator;
const at = Date.UTC(2026, 11, 1);
const context = { eventId: 'e-1', tenantId: 'acme', sequence: 1, alertIds: ['alert-7', 'alert-9'] };

describe('intel events', () => {
  const verdict = stampVerdict({
    provider: 'abuseipdb',
    indicator: ip,
    finding: {
      verdict: 'malicious',
      score: 97,
      evidence: 'AbuseIPDB confidence 97 for 118.25.6.39, 412 reports',
    },
    fetchedAt: at,
    ttls: DEFAULT_VERDICT_TTLS,
  });
  const events: IntelEvent[] = [
    verdictRecorded(context, verdict),
    lookupDeferred(
      { ...context, sequence: 2 },
      {
        provider: 'virustotal',
        indicator: ip,
        reason: 'HTTP 429 from VirusTotal',
        retryAt: at + 60_000,
        at,
      },
    ),
  ];

  it('carries the tenant, provider, indicator, verdict, evidence, lifetime and alerts', () => {
    expect(events[0]).toEqual({
      eventId: 'e-1',
      type: 'IntelVerdictRecorded',
      schemaVersion: 1,
      tenantId: 'acme',
      streamId: 'intel:abuseipdb:ip:118.25.6.39',
      sequence: 1,
      partitionKey: 'acme',
      occurredAt: at,
      causationId: 'alert-7',
      actor: 'intel:abuseipdb',
      data: {
        provider: 'abuseipdb',
        kind: 'ip',
        indicator: '118.25.6.39',
        verdict: 'malicious',
        score: 97,
        evidence: 'AbuseIPDB confidence 97 for 118.25.6.39, 412 reports',
        fetchedAt: at,
        expiresAt: at + 24 * 3_600_000,
        alertIds: ['alert-7', 'alert-9'],
      },
    });
  });

  it.each([0, 1])('round-trips union member %d through the Avro schema', (index) => {
    const event = events[index] as IntelEvent;
    const decoded = intelAvroMapping.fromAvro(
      type.fromBuffer(type.toBuffer(intelAvroMapping.toAvro(event))),
    );
    expect(decoded).toEqual(event);
  });
});
