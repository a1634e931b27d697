import { selectRows, type Queryable } from '@soc/persistence';

/**
 * The per-stream sequence of intel events, one up per event. The upsert's row lock serializes writers
 * of one stream, across instances. A send that fails after taking its number leaves a gap
 * (the retry takes the next number), so a consumer treats a gap here as harmless.
 */
export async function nextIntelSequence(
  db: Queryable,
  tenantId: string,
  streamId: string,
): Promise<number> {
  const [row] = await selectRows<{ last_sequence: string }>(
    db,
    `INSERT INTO public.intel_event_sequences AS s (tenant_id, stream_id, last_sequence) VALUES ($1, $2, 1)
     ON CONFLICT (tenant_id, stream_id) DO UPDATE SET last_sequence = s.last_sequence + 1
     RETURNING last_sequence`,
    [tenantId, streamId],
  );
  return Number(row?.last_sequence ?? 1);
}
