import { isObject, type JsonObject } from '@soc/contracts';

/**
 * A field path for documents that mix nested objects and dotted keys, as Elastic alert
 * documents do (`"kibana.alert.rule.name": ...` next to `"host": {"name": ...}`). Compiled
 * once per path: every candidate key (`a.b.c`, `a.b`, `a`) is precomputed, so a lookup
 * allocates nothing.
 */
export interface DottedPath {
  readonly text: string;
  /** keys[start][end - start - 1]: the dotted key joining segments start..end-1. */
  readonly keys: readonly (readonly string[])[];
  readonly length: number;
}

export function dottedPath(text: string): DottedPath {
  const segments = text.split('.');
  const keys = segments.map((_, start) =>
    segments.slice(start).map((__, i) => segments.slice(start, start + i + 1).join('.')),
  );
  return { text, keys, length: segments.length };
}

/** The value at `path`, trying the longest dotted key first at each level. */
export function getDotted(document: unknown, path: DottedPath): unknown {
  return walk(document, path, 0);
}

function walk(node: unknown, path: DottedPath, start: number): unknown {
  if (!isObject(node)) return undefined;
  const candidates = path.keys[start] as readonly string[];
  for (let i = candidates.length - 1; i >= 0; i -= 1) {
    const key = candidates[i] as string;
    if (!Object.hasOwn(node, key)) continue;
    const value = (node as JsonObject)[key];
    const next = start + i + 1;
    if (next === path.length) return value;
    const found = walk(value, path, next);
    if (found !== undefined) return found;
  }
  return undefined;
}
