import {
  NOTABLE_RISK_SHARE,
  quietHostOf,
  rareFindingOf,
  storyRiskShare,
  type EvidenceTally,
} from '../scoring';
import type { DecidedAlert } from './alert-input';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { firstOf, isOpen, isOpenAt, lastOf, lookupIncident, type IncidentRecord } from './lookups';
import { echoLinks } from './echo-links';
import { quietHostLinks } from './quiet-links';
import { spreadLinks } from './spread-links';
import { notableAsOf, riskAsOf } from './risk-history';
import type { OpenIncident, TenantState } from './state';
import { storyRiskOf } from './story-memory';

export interface CampaignSubject {
  readonly id: string;
  readonly ordinal: number;
  readonly sequence: number;
  readonly campaignId: string | null;
}

/** The incident an alert row just joined, for campaign linking. */
export interface CampaignCandidate {
  readonly subject: CampaignSubject;
  /** The incidents the subject is made of after this decision (excluded from linking). */
  readonly group: readonly OpenIncident[];
  readonly input: DecidedAlert;
  /** The subject's priority after this decision. */
  readonly priority: number;
}

interface CampaignLink {
  readonly other: IncidentRecord;
  readonly reason: string;
  readonly risk: number;
}

/**
 * Campaign linking over the horizon, after an alert row joined `subject`: for each linking
 * entity of the alert, the other incidents that carried it within the horizon are linked when
 * the entity's accumulated risk (this alert included) reaches the threshold ('entity-risk',
 * open or closed incidents), or when the other incident's short window has closed and both
 * incidents are at least `minPriority` ('shared-entity'). Linked incidents share one
 * campaign: the oldest existing campaign absorbs the others.
 */
export function linkCampaigns(ctx: Decision, candidate: CampaignCandidate): void {
  const tenant = ctx.tenant;
  if (tenant === undefined) return;
  const links = campaignLinks(ctx, tenant, candidate);
  if (links === undefined) return;
  const { subject } = candidate;
  const involved: string[] = [];
  if (subject.campaignId !== null) involved.push(subject.campaignId);
  for (const link of links) {
    if (link.other.campaignId !== null && !involved.includes(link.other.campaignId))
      involved.push(link.other.campaignId);
  }
  const target = campaignTarget(ctx, tenant, { subject, links, involved });
  const storyPriority = storyPriorityOf(tenant, { priority: candidate.priority, links, involved });
  emitCampaignLinks(ctx, tenant, { subject, links, involved, target, storyPriority });
}

/** The story's priority after the link: the highest of the subject, its links and the campaigns joined. */
function storyPriorityOf(
  tenant: TenantState,
  {
    priority,
    links,
    involved,
  }: {
    readonly priority: number;
    readonly links: readonly CampaignLink[];
    readonly involved: readonly string[];
  },
): number {
  let highest = priority;
  for (const link of links) highest = Math.max(highest, link.other.priority ?? 0);
  for (const campaignId of involved)
    for (const member of tenant.campaigns.get(campaignId)?.members ?? [])
      highest = Math.max(highest, lookupIncident(tenant, member)?.priority ?? 0);
  return highest;
}

function campaignLinks(
  ctx: Decision,
  tenant: TenantState,
  candidate: CampaignCandidate,
): CampaignLink[] | undefined {
  const { input } = candidate;
  const time = ctx.time;
  const { summary, keys } = input;
  const evidence = ctx.rowEvidence(input);
  const risk = storyRiskOf(summary, evidence);
  // Only unusual activity links by its entities' risk: a routine row adds none, and links none.
  const notable = storyRiskShare(evidence) >= NOTABLE_RISK_SHARE;
  let links: CampaignLink[] | undefined;
  for (const { key } of input.links) {
    const memory = tenant.entities.get(key);
    // An entry past its horizon counts as gone, however late the sweep that evicts it.
    if (memory === undefined || memory.expiresAt <= time) continue;
    const accumulated = Math.round(riskAsOf(memory, { time, contribution: risk }) * 10) / 10;
    const byRisk = notable && accumulated >= ctx.policy.campaign.riskThreshold;
    const notableThen = notableAsOf(memory, time);
    // The notable ones first: a busy entity's recent incidents may all be routine by now.
    for (const id of unionOf(notableThen, memory.incidents)) {
      const other = lookupIncident(tenant, id);
      if (other === undefined || !isLinkable(ctx, { other, candidate, links })) continue;
      const reason = linkReason(ctx, {
        key,
        accumulated: byRisk && notableThen.includes(id) ? accumulated : null,
        other,
        candidate,
      });
      if (reason !== undefined) (links ??= []).push({ other, reason, risk: accumulated });
    }
  }
  for (const { other, reason } of activityLinks(ctx, {
    tenant,
    evidence,
    entityKeys: keys.entityKeys,
  }))
    if (isLinkable(ctx, { other, candidate, links }))
      (links ??= []).push({ other, reason, risk: 0 });
  return links;
}

/** Links by what the row's activity shares with other hosts' (spread-, echo- and quiet-links.ts). */
function activityLinks(
  ctx: Decision,
  {
    tenant,
    evidence,
    entityKeys,
  }: {
    readonly tenant: TenantState;
    readonly evidence: EvidenceTally;
    readonly entityKeys: readonly string[];
  },
): { readonly other: IncidentRecord; readonly reason: string }[] {
  const found: { readonly other: IncidentRecord; readonly reason: string }[] = [];
  const finding = rareFindingOf(evidence);
  if (finding !== null)
    found.push(...spreadLinks(ctx, { tenant, finding }), ...echoLinks(ctx, { tenant, finding }));
  const windowMs = ctx.policy.campaign.spreadWindowMs;
  const quiet = quietHostOf(tenant.baseline.rarity, { entityKeys, time: ctx.time, windowMs });
  if (quiet !== null) found.push(...quietHostLinks(ctx, { tenant, quiet }));
  return found;
}

const unionOf = (a: readonly string[], b: readonly string[]): string[] => [
  ...a,
  ...b.filter((id) => !a.includes(id)),
];

/** Another incident within the horizon, not in the subject's campaign, group or links yet. */
function isLinkable(
  ctx: Decision,
  {
    other,
    candidate,
    links,
  }: {
    readonly other: IncidentRecord;
    readonly candidate: CampaignCandidate;
    readonly links: readonly CampaignLink[] | undefined;
  },
): boolean {
  const { subject, group } = candidate;
  const time = ctx.time;
  if (other.id === subject.id) return false;
  if (lastOf(other) + other.horizonMs <= time || firstOf(other) - other.horizonMs >= time)
    return false;
  if (subject.campaignId !== null && other.campaignId === subject.campaignId) return false;
  return !(
    group.some((incident) => incident.id === other.id) ||
    links?.some((link) => link.other.id === other.id)
  );
}

function linkReason(
  ctx: Decision,
  {
    key,
    accumulated,
    other,
    candidate,
  }: {
    readonly key: string;
    /** The entity's accumulated risk when it links the other incident by risk; else null. */
    readonly accumulated: number | null;
    readonly other: IncidentRecord;
    readonly candidate: CampaignCandidate;
  },
): string | undefined {
  const { riskThreshold, minPriority, horizonMs } = ctx.policy.campaign;
  const hours = Math.round((horizonMs / 3_600_000) * 10) / 10;
  if (continues(ctx, other))
    return `continues incident ${other.id} on ${key} past its maximum span`;
  if (accumulated !== null)
    return `accumulated risk of ${key} is ${accumulated} (threshold ${riskThreshold}) within the ${hours} h horizon`;
  if (
    candidate.priority >= minPriority &&
    (other.priority ?? 0) >= minPriority &&
    (!isOpen(other) || !isOpenAt(other, ctx.watermark, ctx.policy))
  )
    return `shares ${key} with incident ${other.id} within the ${hours} h horizon after its window closed`;
  return undefined;
}

/**
 * Cut at its maximum span while its activity went on (its last alert less than a window
 * before this one): what follows on the same entity is the same story.
 */
const continues = (ctx: Decision, other: IncidentRecord): boolean =>
  ctx.time - lastOf(other) < other.windowMs &&
  firstOf(other) + ctx.policy.maxIncidentSpanMs <= ctx.time;

interface CampaignPlan {
  readonly subject: CampaignSubject;
  readonly links: readonly CampaignLink[];
  /** Campaigns the subject and its links already belong to. */
  readonly involved: readonly string[];
}

/** A new campaign is named after its oldest incident; else the oldest campaign involved wins. */
function campaignTarget(ctx: Decision, tenant: TenantState, plan: CampaignPlan): string {
  const { subject, links, involved } = plan;
  if (involved.length === 0) {
    let root: { readonly id: string; readonly ordinal: number } = subject;
    for (const link of links) if (link.other.ordinal < root.ordinal) root = link.other;
    return ctx.ids.campaignId(tenant.tenantId, root.id);
  }
  const rootOf = (campaignId: string): number =>
    tenant.campaigns.get(campaignId)?.rootOrdinal ?? Infinity;
  return involved.reduce((best, candidate) =>
    rootOf(candidate) < rootOf(best) || (rootOf(candidate) === rootOf(best) && candidate < best)
      ? candidate
      : best,
  );
}

function emitCampaignLinks(
  ctx: Decision,
  tenant: TenantState,
  plan: CampaignPlan & { readonly target: string; readonly storyPriority: number },
): void {
  const { subject, links, involved, target, storyPriority } = plan;
  const actor = { actor: ACTOR.campaign };
  const first = links[0] as CampaignLink;
  const maxRisk = links.reduce((max, link) => Math.max(max, link.risk), 0);
  const newlyLinked = links.filter((link) => link.other.campaignId !== target);
  if (subject.campaignId !== target) {
    const data = {
      incidentId: subject.id,
      campaignId: target,
      linkedIncidentIds: links.map((link) => link.other.id),
      reason: first.reason,
      accumulatedRisk: maxRisk,
      storyPriority,
    };
    ctx.emit(subject, 'CampaignLinked', data, actor);
  } else if (newlyLinked.length === 0) return;
  for (const link of newlyLinked) {
    const data = {
      incidentId: link.other.id,
      campaignId: target,
      linkedIncidentIds: [subject.id],
      reason: link.reason,
      accumulatedRisk: link.risk,
      storyPriority,
    };
    ctx.emit(link.other, 'CampaignLinked', data, actor);
  }
  // Members of the campaigns folded into the target move with them.
  for (const campaignId of involved) {
    if (campaignId === target) continue;
    for (const member of tenant.campaigns.get(campaignId)?.members ?? []) {
      if (member === subject.id || links.some((link) => link.other.id === member)) continue;
      const record = lookupIncident(tenant, member);
      if (record === undefined || record.id !== member) continue;
      const data = {
        incidentId: member,
        campaignId: target,
        linkedIncidentIds: [],
        reason: `campaign ${campaignId} merged into ${target} through incident ${subject.id}`,
        accumulatedRisk: maxRisk,
        storyPriority,
      };
      ctx.emit(record, 'CampaignLinked', data, actor);
    }
  }
}
