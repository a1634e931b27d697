/**
 * MITRE ATT&CK references. Techniques are kept only when they are technique ids (T1059,
 * T1059.001), upper-cased; names are not technique ids and are dropped. Tactics are kept as the
 * source gives them (TA0001, "Initial Access", initial-access), trimmed and de-duplicated.
 */
export class AttackRefs {
  private readonly tacticList: string[] = [];
  private readonly techniqueList: string[] = [];

  get tactics(): readonly string[] {
    return this.tacticList;
  }

  get techniques(): readonly string[] {
    return this.techniqueList;
  }

  tactic(value: unknown): void {
    if (typeof value !== 'string') return;
    const tactic = value.trim();
    if (tactic.length === 0 || tactic.length > 128) return;
    const id = tacticId(tactic);
    const kept = id ?? tactic;
    if (!this.tacticList.includes(kept)) this.tacticList.push(kept);
  }

  technique(value: unknown): void {
    if (typeof value !== 'string') return;
    const id = techniqueId(value.trim());
    if (id !== undefined && !this.techniqueList.includes(id)) this.techniqueList.push(id);
  }
}

/** `T1059` or `T1059.001` (any case) to upper case; anything else undefined. */
export function techniqueId(value: string): string | undefined {
  if (value.length !== 5 && value.length !== 9) return undefined;
  const c0 = value.charCodeAt(0);
  if (c0 !== 84 && c0 !== 116) return undefined;
  if (!allDigits(value, 1, 5)) return undefined;
  if (value.length === 9 && (value[5] !== '.' || !allDigits(value, 6, 9))) return undefined;
  return value.toUpperCase();
}

/** `TA0001` (any case) to upper case; anything else undefined. */
export function tacticId(value: string): string | undefined {
  if (value.length !== 6) return undefined;
  const prefix = value.slice(0, 2).toUpperCase();
  return prefix === 'TA' && allDigits(value, 2, 6) ? value.toUpperCase() : undefined;
}

function allDigits(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** ATT&CK enterprise tactic names without spaces or dashes, lower case (Graph `category`). */
export const TACTIC_NAMES: ReadonlyMap<string, string> = new Map([
  ['reconnaissance', 'Reconnaissance'],
  ['resourcedevelopment', 'Resource Development'],
  ['initialaccess', 'Initial Access'],
  ['execution', 'Execution'],
  ['persistence', 'Persistence'],
  ['privilegeescalation', 'Privilege Escalation'],
  ['defenseevasion', 'Defense Evasion'],
  ['credentialaccess', 'Credential Access'],
  ['discovery', 'Discovery'],
  ['lateralmovement', 'Lateral Movement'],
  ['collection', 'Collection'],
  ['commandandcontrol', 'Command and Control'],
  ['exfiltration', 'Exfiltration'],
  ['impact', 'Impact'],
]);
