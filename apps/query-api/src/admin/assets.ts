import { ENTITY_TYPES, type EntityType } from '@soc/contracts';
import { selectRows, type Queryable } from '@soc/persistence';
import { InputReader, type FieldProblem } from '../http/validation';
import { parseCsv } from './csv';

export interface AssetInput {
  readonly entityType: EntityType;
  readonly value: string;
  readonly criticality: number;
  readonly owner: string | null;
  readonly tags: readonly string[];
}

/** Entity types whose values the normalizers lower-case; assets match them the same way. */
const CASE_FOLDED: ReadonlySet<EntityType> = new Set([
  'host',
  'domain',
  'file_hash',
  'email',
  'user',
]);

export const MAX_ASSETS = 50_000;

function readAsset(
  raw: unknown,
  path: string,
  problems: FieldProblem[],
  tagsFrom: 'array' | 'text',
): AssetInput | null {
  const input = new InputReader(raw, path);
  input.onlyKnown(['entity_type', 'value', 'criticality', 'owner', 'tags']);
  const entityType = input.oneOf('entity_type', ENTITY_TYPES);
  const value = input.string('value', { max: 2_000 });
  const criticality = input.number('criticality', { min: 1, max: 5, integer: true });
  const owner = input.string('owner', { required: false, max: 200 });
  let tags: string[] = [];
  if (tagsFrom === 'text') {
    const text = input.string('tags', { required: false, max: 2_000 });
    tags =
      text === null
        ? []
        : text
            .split(/[;|]/)
            .map((t) => t.trim())
            .filter(Boolean);
  } else {
    const list = input.array('tags') ?? [];
    if (!list.every((t): t is string => typeof t === 'string'))
      input.problem('tags', 'must be an array of strings');
    else tags = [...list];
  }
  problems.push(...input.collected);
  if (!input.ok || entityType === null || value === null || criticality === null) return null;
  return {
    entityType,
    value: CASE_FOLDED.has(entityType) ? value.trim().toLowerCase() : value.trim(),
    criticality,
    owner,
    tags,
  };
}

/** The asset list from a JSON body: an array, or `{ "assets": [...] }`. */
export function assetsFromJson(body: unknown): { assets: AssetInput[]; problems: FieldProblem[] } {
  const list = Array.isArray(body)
    ? body
    : typeof body === 'object' &&
        body !== null &&
        Array.isArray((body as { assets?: unknown }).assets)
      ? (body as { assets: unknown[] }).assets
      : null;
  if (!list)
    return {
      assets: [],
      problems: [{ path: '$', reason: 'expected an array of assets or { "assets": [...] }' }],
    };
  return collect(
    list.map((raw, i) => ({ raw, path: `assets[${i}]` })),
    'array',
  );
}

/** The asset list from CSV: columns entity_type,value,criticality[,owner][,tags]; tags split by ; or |. */
export function assetsFromCsv(text: string): { assets: AssetInput[]; problems: FieldProblem[] } {
  const parsed = parseCsv(text, ['entity_type', 'value', 'criticality']);
  if (parsed.problems.length > 0) return { assets: [], problems: parsed.problems };
  return collect(
    parsed.records.map((raw, i) => ({ raw, path: `csv[${i + 2}]` })),
    'text',
  );
}

function collect(items: { raw: unknown; path: string }[], tagsFrom: 'array' | 'text') {
  const problems: FieldProblem[] = [];
  if (items.length > MAX_ASSETS)
    return {
      assets: [],
      problems: [{ path: '$', reason: `at most ${MAX_ASSETS} assets per upload` }],
    };
  const assets = items
    .map(({ raw, path }) => readAsset(raw, path, problems, tagsFrom))
    .filter((a): a is AssetInput => a !== null);
  return { assets, problems };
}

/** Upserts the tenant's assets (the last row wins for a repeated entity). Runs under withTenant. */
export async function upsertAssets(
  db: Queryable,
  tenantId: string,
  assets: readonly AssetInput[],
): Promise<number> {
  const unique = new Map(assets.map((a) => [`${a.entityType}\u0000${a.value}`, a]));
  const rows = [...unique.values()].map((a) => ({
    tenant_id: tenantId,
    entity_type: a.entityType,
    value: a.value,
    criticality: a.criticality,
    owner: a.owner,
    tags: a.tags,
  }));
  for (let i = 0; i < rows.length; i += 1_000) {
    await db.query(
      `INSERT INTO public.assets AS a (tenant_id, entity_type, value, criticality, owner, tags, updated_at)
       SELECT tenant_id, entity_type, value, criticality, owner, tags, now()
       FROM json_to_recordset($1::json) AS r(tenant_id text, entity_type text, value text, criticality smallint, owner text, tags text[])
       ON CONFLICT (tenant_id, entity_type, value) DO UPDATE SET
         criticality = EXCLUDED.criticality, owner = EXCLUDED.owner, tags = EXCLUDED.tags, updated_at = now()`,
      [JSON.stringify(rows.slice(i, i + 1_000))],
    );
  }
  return rows.length;
}

export async function listAssets(db: Queryable, tenantId: string, limit: number) {
  const rows = await selectRows<{
    entity_type: string;
    value: string;
    criticality: number;
    owner: string | null;
    tags: string[];
    updated_at: Date;
  }>(
    db,
    `SELECT entity_type, value, criticality, owner, tags, updated_at FROM public.assets
     WHERE tenant_id = $1 ORDER BY criticality DESC, entity_type, value LIMIT $2`,
    [tenantId, limit],
  );
  return rows.map((r) => ({
    entityType: r.entity_type,
    value: r.value,
    criticality: r.criticality,
    owner: r.owner,
    tags: r.tags,
    updatedAt: r.updated_at.toISOString(),
  }));
}
