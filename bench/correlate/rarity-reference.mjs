// The datasets README's 20-line reference as a process of its own, so that its time is the
// baseline's and not the project's: group a host's Wazuh alerts with a 15 minute gap, score an
// incident by the rarity of its rarest rule on its host so far, one JSON line per alert out.
// (libs/domain/src/evaluation/rarity-reference.ts is the same baseline over canonical alerts,
// for the quality figures.)
import { createInterface } from 'node:readline';

const GAP_MS = 15 * 60_000;
const hosts = new Map();
let incidents = 0;
createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  if (line.length === 0) return;
  const alert = JSON.parse(line);
  const name = alert.agent?.name ?? '';
  const at = Date.parse(alert.timestamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  let host = hosts.get(name);
  if (host === undefined)
    hosts.set(name, (host = { rules: new Map(), alerts: 0, last: -Infinity }));
  if (at - host.last >= GAP_MS) host.incident = `reference-${(incidents += 1)}`;
  host.last = Math.max(host.last, at);
  const rule = alert.rule?.id ?? alert.rule?.description ?? '';
  const seen = host.rules.get(rule) ?? 0;
  const rarity = -Math.log((seen + 1) / (host.alerts + 1));
  host.rules.set(rule, seen + 1);
  host.alerts += 1;
  process.stdout.write(`${JSON.stringify({ id: alert.id, incident: host.incident, rarity })}\n`);
});
