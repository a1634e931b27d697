// A sender as a SIEM's forwarder behaves during an outage: it posts batches to ingest, gives
// up on a request after a timeout, and retries the batch until ingest answers 202. Every answer
// is checked against ingest's promise: 202, or 503 with Retry-After, nothing else.
import { waitFor } from '@soc/testing';

export type SimpleAlert = Readonly<Record<string, unknown>> & { readonly id: string };

/** Alerts of a few hosts and users, so the correlator opens, attaches and counts repeats. */
export const faultAlerts = (prefix: string, count: number, from = 0): SimpleAlert[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${from + i}`,
    severity: ['low', 'medium', 'high'][(from + i) % 3],
    description: `fault alert ${from + i}`,
    source_ip: `10.1.${(from + i) % 5}.7`,
    target_user: `user-${(from + i) % 3}`,
    timestamp: new Date().toISOString(),
  }));

/** `timeout` for a request given up on, else `connection:<code>` (refused, reset, closed). */
function failureKind(error: unknown): string {
  const { name, cause } = error as { name?: string; cause?: { code?: string } };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  return `connection:${cause?.code ?? name ?? 'unknown'}`;
}

export interface SenderTally {
  /** Alert ids answered 202 (accepted, or a duplicate of an accepted one). */
  readonly delivered: Set<string>;
  /** Answers by kind: `202`, `503`, `timeout`, `connection:<code>`. */
  readonly answers: Map<string, number>;
  /** Answers ingest must never give (a 500, a 503 without Retry-After, a 202 that drops an item). */
  readonly violations: string[];
}

export interface AlertSender {
  readonly tally: SenderTally;
  /** Attempts that got no 202: 503s, timeouts and refused connections. */
  readonly failedAttempts: () => number;
  /** Posts `alerts` as one batch until ingest answers 202 for all of them. */
  readonly send: (alerts: readonly SimpleAlert[]) => Promise<void>;
  /** Sends `faultAlerts(prefix, ...)` numbered `from` to `to` (exclusive), batch after batch. */
  readonly sendRange: (prefix: string, from: number, to: number) => Promise<void>;
}

const BATCH = 20;

export function alertSender({
  url,
  apiKey,
  requestTimeoutMs = 3_000,
  giveUpAfterMs = 120_000,
}: {
  readonly url: () => string;
  readonly apiKey: string;
  readonly requestTimeoutMs?: number;
  readonly giveUpAfterMs?: number;
}): AlertSender {
  const tally: SenderTally = { delivered: new Set(), answers: new Map(), violations: [] };
  const count = (kind: string): void =>
    void tally.answers.set(kind, (tally.answers.get(kind) ?? 0) + 1);

  const attempt = async (alerts: readonly SimpleAlert[]): Promise<boolean> => {
    let response: Response;
    try {
      response = await fetch(`${url()}/api/v1/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      count(failureKind(error));
      return false;
    }
    const text = await response.text();
    count(String(response.status));
    if (response.status === 503) {
      if (response.headers.get('retry-after') === null)
        tally.violations.push(`503 without Retry-After: ${text}`);
      return false;
    }
    if (response.status !== 202) {
      tally.violations.push(`${response.status}: ${text.slice(0, 500)}`);
      return false;
    }
    const { results } = JSON.parse(text) as {
      results: { status: string; alertId?: string }[];
    };
    const ids = new Set(
      results
        .filter((r) => r.status === 'accepted' || r.status === 'duplicate')
        .map((r) => r.alertId),
    );
    for (const alert of alerts) {
      if (ids.has(alert.id)) tally.delivered.add(alert.id);
      else tally.violations.push(`202 without ${alert.id}: ${text.slice(0, 500)}`);
    }
    return true;
  };

  const send = async (alerts: readonly SimpleAlert[]): Promise<void> => {
    await waitFor(() => attempt(alerts), {
      timeoutMs: giveUpAfterMs,
      intervalMs: 250,
      describe: `ingest to answer 202 for ${alerts[0]?.id ?? 'an empty batch'} and the rest of its batch`,
    });
  };
  return {
    tally,
    send,
    sendRange: async (prefix, from, to) => {
      for (let at = from; at < to; at += BATCH)
        await send(faultAlerts(prefix, Math.min(BATCH, to - at), at));
    },
    failedAttempts: () =>
      [...tally.answers].filter(([kind]) => kind !== '202').reduce((n, [, count]) => n + count, 0),
  };
}
