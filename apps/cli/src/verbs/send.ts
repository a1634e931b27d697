import type { CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';

const USAGE = 'usage: send --url <ingest alerts URL> --key <ingest API key> < records';
const FLAGS = { url: 'value', key: 'value' } as const satisfies FlagSpec;

const MAX_BATCH = 500;
const MAX_WAIT_MS = 200;

/**
 * `soc send --url URL --key KEY`: posts input lines (JSON alerts in any format) to the
 * ingest API as NDJSON batches, and prints one JSON line per batch with what ingest answered.
 */
export const sendVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, FLAGS);
  if (!parsed.ok) return usageError(io, parsed.error, USAGE);
  const url = parsed.flags.get('url');
  const key = parsed.flags.get('key');
  if (!url || !key || parsed.positional.length > 0)
    return usageError(io, 'send needs --url and --key and no other arguments', USAGE);
  let batch: string[] = [];
  let batchStarted = 0;
  let failures = 0;
  const post = async (): Promise<void> => {
    if (batch.length === 0) return;
    const lines = batch;
    batch = [];
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-api-key': key },
      body: `${lines.join('\n')}\n`,
    });
    const body = (await response.json()) as {
      accepted?: number;
      duplicates?: number;
      rejected?: number;
    };
    if (!response.ok) failures += 1;
    io.out({
      status: response.status,
      sent: lines.length,
      accepted: body.accepted,
      duplicates: body.duplicates,
      rejected: body.rejected,
    });
  };
  for await (const line of io.lines()) {
    if (line.trim().length === 0) continue;
    if (batch.length === 0) batchStarted = Date.now();
    batch.push(line);
    if (batch.length >= MAX_BATCH || Date.now() - batchStarted >= MAX_WAIT_MS) await post();
  }
  await post();
  return failures === 0 ? 0 : 1;
};
