/**
 * The MITRE ATT&CK enterprise tactics in kill-chain order. Incidents keep the tactics they have
 * seen as a bit mask over this list (bit i = stage i), so ordering and counting them is cheap.
 */
export const ATTACK_STAGES = [
  { id: 'TA0043', name: 'reconnaissance' },
  { id: 'TA0042', name: 'resource-development' },
  { id: 'TA0001', name: 'initial-access' },
  { id: 'TA0002', name: 'execution' },
  { id: 'TA0003', name: 'persistence' },
  { id: 'TA0004', name: 'privilege-escalation' },
  { id: 'TA0005', name: 'defense-evasion' },
  { id: 'TA0006', name: 'credential-access' },
  { id: 'TA0007', name: 'discovery' },
  { id: 'TA0008', name: 'lateral-movement' },
  { id: 'TA0009', name: 'collection' },
  { id: 'TA0011', name: 'command-and-control' },
  { id: 'TA0010', name: 'exfiltration' },
  { id: 'TA0040', name: 'impact' },
] as const;

const STAGE_BY_KEY: ReadonlyMap<string, number> = new Map(
  ATTACK_STAGES.flatMap((stage, index) => [
    [stage.id, index] as const,
    [stage.name, index] as const,
  ]),
);

/**
 * The kill-chain position of a tactic given as an id (`TA0001`), a name (`Initial Access`,
 * `initial_access`, `initial-access`), or -1 when it is not an enterprise tactic.
 */
export function attackStageOf(tactic: string): number {
  const direct = STAGE_BY_KEY.get(tactic);
  if (direct !== undefined) return direct;
  const folded = tactic
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  const byName = STAGE_BY_KEY.get(folded) ?? STAGE_BY_KEY.get(folded.toUpperCase());
  return byName ?? -1;
}

/** Adds the stages of `tactics` to `mask`; unknown tactics leave it unchanged. */
export function addAttackStages(mask: number, tactics: readonly string[]): number {
  let next = mask;
  for (const tactic of tactics) {
    const stage = attackStageOf(tactic);
    if (stage >= 0) next |= 1 << stage;
  }
  return next;
}

export function attackStageCount(mask: number): number {
  let count = 0;
  for (let rest = mask; rest !== 0; rest &= rest - 1) count += 1;
  return count;
}

/** The stages of a mask in kill-chain order. */
export function attackStagesOf(mask: number): (typeof ATTACK_STAGES)[number][] {
  return ATTACK_STAGES.filter((_, index) => (mask & (1 << index)) !== 0);
}
