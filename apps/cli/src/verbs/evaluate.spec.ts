import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncidentEvent } from '@soc/contracts';
import { generateLabeledAlerts, labeledAlertRecord, type EvaluationReport } from '@soc/domain';
import { fakeIo } from '../../test/fake-io';
import { correlateVerb } from './correlate';
import { evaluateVerb } from './evaluate';

const traffic = generateLabeledAlerts({
  seed: 'cli-evaluate',
  tenants: 2,
  alertCount: 600,
  durationMs: 3 * 3_600_000,
});
const labeledLines = traffic.map((labeled) => JSON.stringify(labeledAlertRecord(labeled)));
const tempFile = (name: string, lines: readonly string[]): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'soc-evaluate-')), name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

describe('soc evaluate', () => {
  it('prints one JSON object of grouping and ranking metrics for labeled alerts on stdin', async () => {
    const io = fakeIo(labeledLines);
    expect(await evaluateVerb([], io)).toBe(0);
    expect(io.outs).toHaveLength(1);
    const report = io.outs[0] as EvaluationReport;
    expect(report.alerts).toBe(traffic.length);
    expect(report.incidents).toBeGreaterThan(0);
    expect(report.reductionRatio).toBeGreaterThan(1);
    expect(report.grouping.adjustedRandIndex).toBeGreaterThan(0);
    expect(report.grouping.pairwiseRecall).toBeGreaterThan(0.5);
    expect(report.ranking.rocAuc).toBeGreaterThan(0.5);
    expect(Object.keys(report.ranking.precisionAtK)).toEqual(['10', '50', '100']);
  });

  it('reads --input, honours --k, and is deterministic', async () => {
    const path = tempFile('labeled.jsonl', labeledLines);
    const first = fakeIo([]);
    const second = fakeIo([]);
    expect(await evaluateVerb(['--input', path, '--k', '5,20'], first)).toBe(0);
    await evaluateVerb(['--input', path, '--k', '5,20'], second);
    expect(second.outs).toEqual(first.outs);
    expect(Object.keys((first.outs[0] as EvaluationReport).ranking.precisionAtK)).toEqual([
      '5',
      '20',
    ]);
  });

  it('evaluates a recorded event log with --events the same as running the correlation itself', async () => {
    const correlated = fakeIo(labeledLines);
    await correlateVerb([], correlated);
    const eventsPath = tempFile(
      'events.jsonl',
      (correlated.outs as IncidentEvent[]).map((e) => JSON.stringify(e)),
    );
    const fromLog = fakeIo(labeledLines);
    const fresh = fakeIo(labeledLines);
    await evaluateVerb(['--events', eventsPath], fromLog);
    await evaluateVerb([], fresh);
    expect(fromLog.outs).toEqual(fresh.outs);
  });

  it('reports lines without a label and leaves them out, exiting 1', async () => {
    const io = fakeIo([...labeledLines.slice(0, 10), JSON.stringify(traffic[0]?.alert)]);
    expect(await evaluateVerb([], io)).toBe(1);
    expect(io.errs).toEqual([{ line: 11, reason: 'missing or invalid label { group, verdict }' }]);
    expect((io.outs[0] as EvaluationReport).alerts).toBe(10);
  });

  it('normalizes labeled raw records of any supported format, CEF lines included', async () => {
    const io = fakeIo([
      JSON.stringify({
        id: 'r1',
        severity: 'high',
        description: 'Brute force',
        source_ip: '203.0.113.7',
        target_user: 'admin',
        timestamp: '2026-01-01T10:00:00Z',
        label: { group: 'g1', verdict: 'tp' },
      }),
      JSON.stringify({
        record: 'CEF:0|Acme|IDS|1.0|100|Port scan|8|src=203.0.113.7 dst=10.0.0.5 rt=1767261660000',
        label: { group: 'g1', verdict: 'tp' },
      }),
      JSON.stringify({ id: 'r3', severity: 'low', label: { group: null, verdict: 'fp' } }),
    ]);
    expect(await evaluateVerb(['--tenant', 'acme'], io)).toBe(1);
    expect(io.errs).toEqual([expect.objectContaining({ line: 3, field: 'timestamp' })]);
    const report = io.outs[0] as EvaluationReport;
    expect(report.alerts).toBe(2);
    expect(report.incidents).toBe(1);
  });

  it('refuses a bad --k and an unknown flag', async () => {
    expect(await evaluateVerb(['--k', 'ten'], fakeIo([]))).toBe(2);
    const io = fakeIo([]);
    expect(await evaluateVerb(['--refernce'], io)).toBe(2);
    expect(io.errs).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/^unknown flag --refernce/) }),
    ]);
  });

  it('reads a gzip file as it streams, with the same report as the plain file', async () => {
    const plain = tempFile('labeled.jsonl', labeledLines);
    const gzipped = `${plain}.gz`;
    writeFileSync(gzipped, gzipSync(`${labeledLines.join('\n')}\n`));
    const fromPlain = fakeIo([]);
    const fromGzip = fakeIo([]);
    expect(await evaluateVerb(['--input', gzipped], fromGzip)).toBe(0);
    await evaluateVerb(['--input', plain], fromPlain);
    expect(fromGzip.outs).toEqual(fromPlain.outs);
  });

  it('reports a corrupt gzip file as an error instead of hanging', async () => {
    const broken = tempFile('broken.jsonl.gz', ['not gzip at all']);
    const io = fakeIo([]);
    expect(await evaluateVerb(['--input', broken], io)).toBe(2);
    expect(io.errs).toEqual([expect.objectContaining({ error: expect.stringMatching(/header/) })]);
  });

  it('adds the analyst view of incidents and stories, and the rarity reference beside it', async () => {
    const io = fakeIo(labeledLines);
    await evaluateVerb([], io);
    const report = io.outs[0] as EvaluationReport & { reference: EvaluationReport };
    for (const view of [report.analyst.incidents, report.analyst.stories]) {
      expect(view.items).toBeGreaterThan(0);
      expect(view.attackItems).toBeGreaterThan(0);
      expect(view.firstAttackRank).toBeGreaterThanOrEqual(1);
      expect(view.highQueue?.threshold).toBe(80);
    }
    expect(report.analyst.stories.items).toBeLessThanOrEqual(report.analyst.incidents.items);
    expect(report.reference.alerts).toBe(report.alerts);
    expect(report.reference.analyst.incidents.highQueue).toBeNull();
    expect(report.reference.analyst.stories.items).toBe(report.reference.incidents);
  });
});
