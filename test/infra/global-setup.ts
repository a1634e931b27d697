// Jest global setup of the integration and end-to-end projects: chooses the infrastructure once
// (see infrastructure.ts) and hands it to the specs through process.env, which the workers
// inherit. Unit runs never get here: only those two projects name this file.
import { Infrastructure, selectInfrastructure } from './infrastructure';

const HANDLE = Symbol.for('soc.test.infrastructure');
type Holder = { [HANDLE]?: Infrastructure };

const report = (message: string): void => {
  process.stderr.write(`[test infrastructure] ${message}\n`);
};

export default async function globalSetup(): Promise<void> {
  const holder = globalThis as Holder;
  // Jest runs a global setup once per distinct file, but two configs may still share one process.
  if (holder[HANDLE]) return;
  const began = Date.now();
  const infrastructure = await selectInfrastructure(process.env, report);
  holder[HANDLE] = infrastructure;
  Object.assign(process.env, infrastructure.env, { SOC_TEST_INFRA_SOURCE: infrastructure.source });
  report(
    `${infrastructure.source} ready in ${((Date.now() - began) / 1000).toFixed(1)} s: ` +
      `KAFKA_BROKERS=${infrastructure.env.KAFKA_BROKERS} SCHEMA_REGISTRY_URL=${infrastructure.env.SCHEMA_REGISTRY_URL}`,
  );
}

export const takeInfrastructure = (): Infrastructure | undefined => {
  const holder = globalThis as Holder;
  const infrastructure = holder[HANDLE];
  delete holder[HANDLE];
  return infrastructure;
};
