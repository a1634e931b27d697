import { ALERT_FORMATS, ENTITY_TYPES, type CanonicalAlert } from '@soc/contracts';
import { Type, type Schema } from 'avsc';
import { goldenCases, readExpected, readRepoFile } from '../../test/normalization/golden-files';

/**
 * The Avro schema of soc.alerts.v1 (schemas/alerts/soc.alerts.v1-value.avsc) must accept every
 * canonical alert the normalizers produce and give it back unchanged after a binary round trip.
 * The schema lives with the stream; this test lives with the normalizers because they are what
 * must keep fitting it.
 */
const schema = JSON.parse(readRepoFile('schemas', 'alerts', 'soc.alerts.v1-value.avsc')) as Schema;
const alertType = Type.forSchema(schema);

const cases = goldenCases();
const goldenAlerts: CanonicalAlert[] = cases.flatMap((golden) =>
  (readExpected(golden) ?? []).flatMap((result) => (result.ok ? [result.alert] : [])),
);

describe('soc.alerts.v1 Avro schema', () => {
  it('has accepted golden alerts of every input format to check', () => {
    const withAlerts = cases
      .filter((golden) => (readExpected(golden) ?? []).some((result) => result.ok))
      .map((golden) => golden.format);
    expect(new Set(withAlerts).size).toBe(ALERT_FORMATS.length);
  });

  it.each(goldenAlerts.map((alert) => [`${alert.format} ${alert.alertId}`, alert] as const))(
    'accepts and round-trips the golden alert %s',
    (_name, alert) => {
      const paths: string[] = [];
      const valid = alertType.isValid(alert, { errorHook: (path) => paths.push(path.join('.')) });
      expect(paths).toEqual([]);
      expect(valid).toBe(true);
      expect(alertType.fromBuffer(alertType.toBuffer(alert))).toEqual(alert);
    },
  );

  it('names exactly the contract fields, in a stable order', () => {
    const fields = (schema as { fields: { name: string }[] }).fields.map((f) => f.name);
    const sample = goldenAlerts[0] as CanonicalAlert;
    expect(fields).toEqual(Object.keys(sample));
  });

  it('enumerates the contract entity types', () => {
    type Field = {
      name: string;
      type: { items: { fields: { name: string; type: { symbols?: string[] } }[] } };
    };
    const entities = (schema as unknown as { fields: Field[] }).fields.find(
      (f) => f.name === 'entities',
    );
    const typeField = entities?.type.items.fields.find((f) => f.name === 'type');
    expect(typeField?.type.symbols).toEqual([...ENTITY_TYPES]);
  });

  it('rejects an alert whose severity is not an int', () => {
    const sample = goldenAlerts[0] as CanonicalAlert;
    expect(alertType.isValid({ ...sample, severity: 'high' })).toBe(false);
  });
});
