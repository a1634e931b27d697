import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { INCIDENT_STATUSES, type IncidentStatus } from '@soc/contracts';
import type { InputReader } from '../http/validation';

export const SORTS = ['priority', 'last_seen'] as const;
export type IncidentSort = (typeof SORTS)[number];

/** Keyset position: the sort key of the last row of the previous page. */
export interface Cursor {
  readonly sort: IncidentSort;
  readonly priority: number;
  readonly lastSeen: string;
  readonly incidentId: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(
    JSON.stringify([cursor.sort, cursor.priority, cursor.lastSeen, cursor.incidentId]),
  ).toString('base64url');
}

export function decodeCursor(raw: string): Cursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [sort, priority, lastSeen, incidentId] = value as unknown[];
    if (sort !== 'priority' && sort !== 'last_seen') return null;
    if (
      typeof priority !== 'number' ||
      typeof lastSeen !== 'string' ||
      typeof incidentId !== 'string'
    )
      return null;
    if (!Number.isFinite(Date.parse(lastSeen))) return null;
    return { sort, priority, lastSeen, incidentId };
  } catch {
    return null;
  }
}

/** What the incident queue and the story queue are filtered, sorted and paged by alike. */
export interface QueueParams {
  readonly statuses: readonly IncidentStatus[];
  readonly priorityMin: number | null;
  readonly priorityMax: number | null;
  /** Items active in [from, to): last alert at or after `from`, first alert before `to`. */
  readonly from: number | null;
  readonly to: number | null;
  readonly rule: string | null;
  readonly tactic: string | null;
  readonly sort: IncidentSort;
  readonly limit: number;
  /** Keyset position; its `incidentId` holds the last item's id (an incident's or a story's). */
  readonly cursor: Cursor | null;
}

/** Query parameters both queues take. */
export const QUEUE_PARAMS = [
  'status',
  'priority_min',
  'priority_max',
  'from',
  'to',
  'rule',
  'tactic',
  'sort',
  'limit',
  'cursor',
] as const;

/** The OpenAPI description of the shared parameters. */
export const ApiQueueQueries = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({
      name: 'status',
      required: false,
      description: `comma-separated: ${INCIDENT_STATUSES.join(', ')}`,
    }),
    ApiQuery({ name: 'priority_min', required: false, type: Number }),
    ApiQuery({ name: 'priority_max', required: false, type: Number }),
    ApiQuery({
      name: 'from',
      required: false,
      description: 'ISO time or epoch ms: last alert at or after',
    }),
    ApiQuery({
      name: 'to',
      required: false,
      description: 'ISO time or epoch ms: first alert before',
    }),
    ApiQuery({ name: 'rule', required: false }),
    ApiQuery({ name: 'tactic', required: false }),
    ApiQuery({ name: 'sort', required: false, enum: SORTS }),
    ApiQuery({ name: 'limit', required: false, type: Number }),
    ApiQuery({ name: 'cursor', required: false }),
  );

/** Reads the shared queue parameters; problems are collected in `input` for its `done()`. */
export function readQueueParams(input: InputReader): QueueParams {
  const statuses = input.list('status', INCIDENT_STATUSES);
  const priorityMin = input.number('priority_min', { required: false, min: 0, max: 100 });
  const priorityMax = input.number('priority_max', { required: false, min: 0, max: 100 });
  if (priorityMin !== null && priorityMax !== null && priorityMin > priorityMax)
    input.problem('priority_min', 'must not exceed priority_max');
  const from = input.time('from');
  const to = input.time('to');
  const sort = input.oneOf('sort', SORTS, { required: false }) ?? 'priority';
  const rawCursor = input.string('cursor', { required: false, max: 1_000 });
  const cursor = rawCursor === null ? null : decodeCursor(rawCursor);
  if (rawCursor !== null && cursor === null)
    input.problem('cursor', 'is not a cursor this API issued');
  if (cursor && cursor.sort !== sort) input.problem('cursor', `was issued for sort=${cursor.sort}`);
  return {
    statuses,
    priorityMin,
    priorityMax,
    from,
    to,
    rule: input.string('rule', { required: false, max: 500 }),
    tactic: input.string('tactic', { required: false, max: 200 }),
    sort,
    limit: input.number('limit', { required: false, min: 1, max: 200, integer: true }) ?? 50,
    cursor,
  };
}

/** A queue table's names: the alias its query gives it and its id column. */
export interface QueueTable {
  readonly alias: string;
  readonly id: string;
}

/** The WHERE conditions of the shared parameters; `add` binds a value and names its parameter. */
export function queueConditions(
  params: QueueParams,
  { alias: t, id }: QueueTable,
  add: (value: unknown) => string,
): string[] {
  const where: string[] = [];
  if (params.statuses.length > 0) where.push(`${t}.status = ANY(${add(params.statuses)}::text[])`);
  if (params.priorityMin !== null) where.push(`${t}.priority >= ${add(params.priorityMin)}`);
  if (params.priorityMax !== null) where.push(`${t}.priority <= ${add(params.priorityMax)}`);
  if (params.from !== null)
    where.push(`${t}.last_seen >= ${add(new Date(params.from).toISOString())}`);
  if (params.to !== null) where.push(`${t}.first_seen < ${add(new Date(params.to).toISOString())}`);
  if (params.rule !== null) where.push(`${t}.rules @> ARRAY[${add(params.rule)}::text]`);
  if (params.tactic !== null) where.push(`${t}.tactics @> ARRAY[${add(params.tactic)}::text]`);
  if (params.cursor) {
    const lastSeen = add(params.cursor.lastSeen);
    const after = add(params.cursor.incidentId);
    where.push(
      params.sort === 'priority'
        ? `(COALESCE(${t}.priority, -1), ${t}.last_seen, ${t}.${id}) < (${add(params.cursor.priority)}, ${lastSeen}::timestamptz, ${after})`
        : `(${t}.last_seen, ${t}.${id}) < (${lastSeen}::timestamptz, ${after})`,
    );
  }
  return where;
}

/** ORDER BY of the sort: highest priority (or latest activity) first, the id breaking ties. */
export const queueOrder = (sort: IncidentSort, { alias: t, id }: QueueTable): string =>
  sort === 'priority'
    ? `COALESCE(${t}.priority, -1) DESC, ${t}.last_seen DESC, ${t}.${id} DESC`
    : `${t}.last_seen DESC, ${t}.${id} DESC`;

/** The page of `limit + 1` rows read, and the cursor after it when there were more. */
export function queuePage<Row extends { priority: number | null; last_seen: Date | null }>(
  rows: readonly Row[],
  { sort, limit, idOf }: { sort: IncidentSort; limit: number; idOf: (row: Row) => string },
): { page: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last && last.last_seen
      ? encodeCursor({
          sort,
          priority: last.priority ?? -1,
          lastSeen: last.last_seen.toISOString(),
          incidentId: idOf(last),
        })
      : null;
  return { page, nextCursor };
}
