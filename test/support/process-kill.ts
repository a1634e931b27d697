import { readFileSync, readdirSync } from 'node:fs';

/**
 * Kills, without warning, every process whose environment has `name=value`: how a spec crashes
 * a service it started with a unique value (a consumer group id) mid-stream, leaving whatever
 * it had not committed. Linux only (/proc), like the CI machines. Returns the pids killed.
 */
export function killProcessesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const killed: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (!environ.split('\u0000').includes(needle)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed.push(Number(entry));
    } catch {
      // Already gone.
    }
  }
  return killed;
}
