// Jest global teardown: stops what the global setup started (containers, or the local stack
// when the setup started it and no other test run still uses it), and nothing else.
import { takeInfrastructure } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const infrastructure = takeInfrastructure();
  if (!infrastructure) return;
  try {
    await infrastructure.release();
  } catch (error) {
    // Quiet on success so jest's summary stays the last lines of the output.
    process.stderr.write(`[test infrastructure] release failed: ${(error as Error).message}\n`);
    throw error;
  }
}
