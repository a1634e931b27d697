import type { AnalystView } from './analyst-view';
import type { FeedbackReplayReport } from './feedback-replay';
import type { EvaluationReport } from './report';

/** One scenario's run of `soc evaluate`: the project's report with the reference beside it. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly report: EvaluationReport & { readonly reference: EvaluationReport };
}

const fixed = (value: number | null | undefined, digits: number): string =>
  value === null || value === undefined ? '-' : value.toFixed(digits);
const rank = (value: number | null): string => (value === null ? '-' : String(value));

function highQueue(view: AnalystView): string {
  const high = view.highQueue;
  if (high === null) return '-';
  return `${high.size} / ${high.attackItems} / ${high.noiseItems} / ${high.missedAttackItems}`;
}

function spread(view: AnalystView): string {
  const p = view.priorities;
  return p === null ? '-' : `${p.min} / ${p.median} / ${p.p90} / ${p.max}`;
}

const HEADER = [
  'scenario',
  'alerts',
  'incidents (ref)',
  'stories',
  'first attack incident: rank (ref)',
  'first attack story: rank (ref)',
  'stories holding attack (ref)',
  'story ROC AUC (ref)',
  'high queue of stories: size / attack / noise / missed',
  'story priorities: min / median / p90 / max',
];

/**
 * The triage-quality table of docs/triage-quality.md, in Markdown: per scenario the
 * project's analyst view with the rarity reference's figure in brackets (the reference's
 * stories are its incidents).
 */
export function triageTable(rows: readonly ScenarioReport[]): string {
  const lines = [
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const { scenario, report } of rows) {
    const { incidents, stories } = report.analyst;
    const reference = report.reference.analyst.incidents;
    const cells = [
      scenario,
      String(report.alerts),
      `${report.incidents} (${report.reference.incidents})`,
      String(stories.items),
      `${rank(incidents.firstAttackRank)} (${rank(reference.firstAttackRank)})`,
      `${rank(stories.firstAttackRank)} (${rank(reference.firstAttackRank)})`,
      `${stories.attackItems} (${reference.attackItems})`,
      `${fixed(stories.rocAuc, 3)} (${fixed(reference.rocAuc, 3)})`,
      highQueue(stories),
      spread(stories),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** One scenario's `soc evaluate --feedback-from-labels` report. */
export interface FeedbackScenarioReport {
  readonly scenario: string;
  readonly report: FeedbackReplayReport;
}

const FEEDBACK_HEADER = [
  'scenario',
  'verdicts fed back: tp / fp',
  'alerts evaluated',
  'first attack story: rank',
  'stories holding attack',
  'high queue of stories: size / attack / noise / missed',
  'noise stories in top 20 / top 50',
  'stories at ≥ 30 / 40 / 50 / 60: noise (attack)',
  'story ROC AUC',
];

const beside = (without: string, taught: string): string => `${without} → ${taught}`;

const lowerQueues = (view: AnalystView): string =>
  view.lowerQueues.map((queue) => `${queue.noiseItems} (${queue.attackItems})`).join(' / ') || '-';

/**
 * docs/triage-quality.md's feedback table: per scenario the analyst's view of stories over
 * the alerts after the cutoff, without feedback → with the labels fed back as verdicts.
 */
export function feedbackTable(rows: readonly FeedbackScenarioReport[]): string {
  const lines = [
    `| ${FEEDBACK_HEADER.join(' | ')} |`,
    `|${FEEDBACK_HEADER.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const { scenario, report } of rows) {
    const without = report.withoutFeedback.analyst.stories;
    const taught = report.withFeedback.analyst.stories;
    const top = (view: AnalystView): string =>
      `${view.noiseInTop['20']} / ${view.noiseInTop['50']}`;
    const cells = [
      scenario,
      `${report.verdicts.truePositive} / ${report.verdicts.falsePositive}`,
      String(report.evaluatedAlerts),
      beside(rank(without.firstAttackRank), rank(taught.firstAttackRank)),
      beside(String(without.attackItems), String(taught.attackItems)),
      beside(highQueue(without), highQueue(taught)),
      beside(top(without), top(taught)),
      beside(lowerQueues(without), lowerQueues(taught)),
      beside(fixed(without.rocAuc, 3), fixed(taught.rocAuc, 3)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
