import { Type } from 'avsc';
import type { IntelEvent } from '@soc/contracts';
import {
  canonicalIndicator,
  DEFAULT_VERDICT_TTLS,
  lookupDeferred,
  stampVerdict,
  verdictRecorded,
  type Indicator,
} from '@soc/domain';
import { intelAvroMapping } from './event-avro-mapping';
import { readSchemaFile } from './schema-files';

const intelType = Type.forSchema(readSchemaFile('intel'));
const ip = canonicalIndicator('ip', '118.25.6.39') as Indicator;
const at = Date.UTC(2026, 11, 1);
const context = { eventId: 'e-1', tenantId: 'acme', sequence: 1, alertIds: ['alert-7', 'alert-9'] };

const events: IntelEvent[] = [
  verdictRecorded(
    context,
    stampVerdict({
      provider: 'abuseipdb',
      indicator: ip,
      finding: {
        verdict: 'malicious',
        score: 97,
        evidence: 'AbuseIPDB confidence 97 for 118.25.6.39, 412 reports',
      },
      fetchedAt: at,
      ttls: DEFAULT_VERDICT_TTLS,
    }),
  ),
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

describe('intel Avro mapping', () => {
  it.each([0, 1])('round-trips union member %d through the soc.intel.v1 schema', (index) => {
    const event = events[index] as IntelEvent;
    const decoded = intelAvroMapping.fromAvro(
      intelType.fromBuffer(intelType.toBuffer(intelAvroMapping.toAvro(event))),
    );
    expect(decoded).toEqual(event);
  });
});
