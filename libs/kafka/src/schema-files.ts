import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schema } from 'avsc';

/** The repo's schemas/ folder: the versioned Avro schemas, one per topic value. */
const SCHEMAS_DIR = join(__dirname, '..', '..', '..', 'schemas');

export const SCHEMA_FILES = {
  alerts: 'alerts/soc.alerts.v1-value.avsc',
  incidents: 'incidents/soc.incidents.v1-value.avsc',
  feedback: 'feedback/soc.feedback.v1-value.avsc',
  intel: 'intel/soc.intel.v1-value.avsc',
  tenantConfig: 'tenant-config/soc.tenant-config.v1-value.avsc',
} as const;

export function readSchemaFile(name: keyof typeof SCHEMA_FILES): Schema {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]), 'utf8')) as Schema;
}
