import { RARE_SURPRISE, type EvidenceTally, type RareFinding } from './incident-evidence';

/**
 * The share of an alert row's risk that accumulates on its entities toward a story: its
 * novelty where it fired, `1 / (1 + times the rule fired there before)`, and none for a rule
 * that keeps a steady rhythm there. A rule new on its host counts in full, its second firing
 * half, and the host's everyday rules next to nothing, so routine volume on a busy host no
 * longer joins the host's whole day into one story while new activity still adds up. A row
 * without any history (nothing to judge it by) counts in full: the source's severity is all
 * there is.
 */
export function storyRiskShare(row: EvidenceTally): number {
  const finding = row.findings[0];
  if (finding !== undefined) return 1 / (1 + finding.ruleOnEntity);
  const common = row.common;
  if (common === null) return 1;
  return common.routine ? 0 : 1 / (1 + common.ruleOnEntity);
}

/** Rows carrying at least this share of their risk make their incident notable on the entity. */
export const NOTABLE_RISK_SHARE = 0.5;

/** The row's rare finding (a row has one rule, so at most one); null for an ordinary row. */
export const rareFindingOf = (row: EvidenceTally): RareFinding | null => row.findings[0] ?? null;

/**
 * A rule the tenant has not seen before (weighed by the baseline's maturity, so a young
 * tenant's every rule is not "new"): where it appears next, on other hosts, within the spread
 * window, is the same activity moving between hosts (a scan sweeping the network, a tool
 * copied from host to host). A rule that fires everywhere never qualifies.
 */
export const isNewInTenant = (finding: RareFinding): boolean =>
  finding.ruleInTenant < 0.5 && finding.tenantSurprise >= RARE_SURPRISE;
