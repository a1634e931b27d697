import type { AlertEntity } from '@soc/contracts';
import type { FeedbackPattern } from '../feedback';
import { ATTACK_STAGES, attackStageOf } from '../scoring';
import type { DecidedAlert } from './alert-input';
import { ruleLabelOf } from './entity-keys';
import type { OpenIncident } from './state';

/** ATT&CK tactic ids of a mask, in kill-chain order. */
function tacticIds(mask: number): string[] {
  const ids: string[] = [];
  ATTACK_STAGES.forEach((stage, index) => {
    if ((mask & (1 << index)) !== 0) ids.push(stage.id);
  });
  return ids;
}

/**
 * The pattern of a group of incidents (merged, oldest first) plus a row joining it: what
 * feedback is counted under and looked up by. The feedback model bounds what it keeps.
 */
export function patternOf(group: readonly OpenIncident[], row?: DecidedAlert): FeedbackPattern {
  const rules: string[] = [];
  const entities: AlertEntity[] = [];
  let mask = 0;
  const tactics: string[] = [];
  for (const incident of group) {
    if (incident.rules === null) rules.push(incident.rule);
    else rules.push(...incident.rules);
    entities.push(...incident.entities);
    mask |= incident.tally.tacticMask;
    tactics.push(...incident.otherTactics);
  }
  if (row !== undefined) {
    rules.push(ruleLabelOf(row.summary));
    for (const { entity } of row.keys.entities) entities.push(entity);
    for (const tactic of row.summary.tactics) {
      const stage = attackStageOf(tactic);
      if (stage >= 0) mask |= 1 << stage;
      else tactics.push(tactic);
    }
  }
  return { rules, entities, tactics: [...tacticIds(mask), ...tactics] };
}
