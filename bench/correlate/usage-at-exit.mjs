// Preloaded (`node --import`) into each process the correlate bench times: at exit it writes the
// process's own CPU time and peak resident set to the file BENCH_USAGE_FILE names, which the
// parent cannot read from /proc once the child is gone.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
  const usage = { cpuSeconds: (userCPUTime + systemCPUTime) / 1e6, peakRssMb: maxRSS / 1024 };
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify(usage));
});
