import { generateLabeledAlerts, correlateAll, defaultCorrelationConfig, deterministicIds, evaluateCorrelation, stateSize } from '@soc/domain';
const labeled = generateLabeledAlerts({ seed: 7, tenants: 3, alertCount: 5000, durationMs: 8 * 3600_000 });
const counts: Record<string, number> = {};
for (const l of labeled) { const k = l.label.group === null ? 'noise' : l.label.group.split(':')[1]!; counts[k] = (counts[k] ?? 0) + 1; }
console.log('mix', counts, 'n', labeled.length);
const t0 = Date.now();
const { events, state } = correlateAll(labeled.map((l) => l.alert), defaultCorrelationConfig(), deterministicIds());
console.log('ms', Date.now() - t0, 'events', events.length, stateSize(state));
const byType: Record<string, number> = {};
for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
console.log(byType);
console.log(JSON.stringify(evaluateCorrelation(labeled.map((l) => ({ tenantId: l.alert.tenantId, alertId: l.alert.alertId, label: l.label })), events), null, 1));
import { assignAlerts } from '@soc/domain';
const a = assignAlerts(events);
const sizes = new Map<string, number>();
for (const inc of a.incidentOf.values()) sizes.set(inc, (sizes.get(inc) ?? 0) + 1);
const top = [...sizes].sort((x, y) => y[1] - x[1]).slice(0, 5);
console.log(top);
const big = top[0]![0].split('\u0000')[1];
const linked: Record<string, number> = {};
for (const e of events) if (e.type === 'AlertAttached' && e.streamId === big) for (const l of e.data.linkedBy) linked[l.type + ':' + l.value] = (linked[l.type + ':' + l.value] ?? 0) + 1;
console.log(Object.entries(linked).sort((x, y) => y[1] - x[1]).slice(0, 15));
const reasons: Record<string, number> = {};
const camps = new Map<string, Set<string>>();
for (const e of events) if (e.type === 'CampaignLinked') { const r = e.data.reason.replace(/[a-z_]+:\S+/g, 'X').replace(/inc-\w+/g, 'I').replace(/[\d.]+/g, 'N'); reasons[r] = (reasons[r] ?? 0) + 1; const s = camps.get(e.data.campaignId) ?? new Set(); s.add(e.streamId); camps.set(e.data.campaignId, s); }
console.log(reasons);
console.log('campaigns', camps.size, [...camps.values()].map((s) => s.size).sort((a, b) => b - a).slice(0, 10));
// campaign purity: label groups in each campaign
const groupOf = new Map(labeled.map((l) => [l.alert.tenantId + '\u0000' + l.alert.alertId, l.label.group ?? 'noise']));
const incGroups = new Map<string, Set<string>>();
for (const [k, inc] of a.incidentOf) { const s = incGroups.get(inc) ?? new Set(); s.add((groupOf.get(k) ?? '?').replace(/:\d+$/, '')); incGroups.set(inc, s); }
let shown = 0;
for (const [c, members] of camps) { if (shown++ > 8) break; const kinds: Record<string, number> = {}; for (const m of members) for (const g of incGroups.get([...a.incidentOf.values()].find((v) => v.endsWith(m)) ?? '') ?? []) kinds[g] = (kinds[g] ?? 0) + 1; console.log(c, members.size, kinds); }
const comp = new Map<string, Map<string, number>>();
for (const [k, inc] of a.incidentOf) { const m = comp.get(inc) ?? new Map(); const g = groupOf.get(k) ?? '?'; m.set(g, (m.get(g) ?? 0) + 1); comp.set(inc, m); }
const fp = [...comp].map(([inc, m]) => { const n = [...m.values()].reduce((x, y) => x + y, 0); let same = 0; for (const [g, c] of m) same += g === 'noise' ? 0 : c * (c - 1) / 2; return [inc, n * (n - 1) / 2 - same, [...m].sort((x, y) => y[1] - x[1]).slice(0, 6)] as const; }).sort((x, y) => y[1] - x[1]);
console.log('false pairs total', fp.reduce((s, x) => s + x[1], 0));
for (const x of fp.slice(0, 8)) console.log(x[1], JSON.stringify(x[2]));
