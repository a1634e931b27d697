import { retryAfterMs } from './backoff';

/**
 * A failed request to a source. `retryAfterMs` carries the source's own `Retry-After` (429
 * throttling, 503), which the runner waits out before the next poll. The message names the
 * method, the URL without its query and the status: never a header or body we sent, so no
 * credential reaches a log line.
 */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get throttled(): boolean {
    return this.status === 429 || this.retryAfterMs !== undefined;
  }
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Responses longer than this are refused: one page must not exhaust the process. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

/** The response body as text, or a SourceError for any non-2xx answer or oversize body. */
export async function requestText(request: HttpRequest): Promise<string> {
  const where = `${request.method} ${withoutQuery(request.url)}`;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
      redirect: 'error',
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SourceError(`${where}: ${reason}`, undefined);
  }
  const text = await readBounded(response, request.maxBytes, where);
  if (!response.ok) {
    const wait = retryAfterMs(response.headers.get('retry-after'), Date.now());
    throw new SourceError(
      `${where} answered ${response.status}: ${text.slice(0, 300)}`,
      response.status,
      response.status === 429 || response.status === 503 ? wait : undefined,
    );
  }
  return text;
}

export async function requestJson(request: HttpRequest): Promise<unknown> {
  const text = await requestText(request);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SourceError(
      `${request.method} ${withoutQuery(request.url)}: invalid JSON (${(error as Error).message})`,
      undefined,
    );
  }
}

async function readBounded(response: Response, maxBytes: number, where: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new SourceError(
      `${where}: response of ${declared} bytes exceeds ${maxBytes}`,
      response.status,
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        throw new SourceError(`${where}: response exceeds ${maxBytes} bytes`, response.status);
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

const withoutQuery = (url: string): string => url.split('?')[0] ?? url;
