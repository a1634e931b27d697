/** An HTTP exchange that did not produce an answer worth reading: the provider is unavailable. */
export class ProviderUnreachableError extends Error {}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed body; undefined when it was empty or not JSON. */
  readonly body: unknown;
}

export interface FetchJsonOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The whole exchange, connect to last byte. */
  readonly timeoutMs: number;
  /** Larger answers are refused: no provider answer we read is near 1 MiB. */
  readonly maxBytes: number;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes)
    throw new ProviderUnreachableError(`answer of ${declared} bytes exceeds ${maxBytes}`);
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new ProviderUnreachableError(`answer exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const parseOrUndefined = (text: string): unknown => {
  try {
    return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
};

interface BoundedGet {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

/**
 * GET with a deadline over the whole exchange and a bound on the body. Network errors, the
 * deadline and oversized bodies become ProviderUnreachableError with the reason in words;
 * every HTTP status comes back to the caller, which knows what the server means by it.
 */
async function boundedGet(
  options: BoundedGet,
): Promise<{ status: number; headers: Headers; text: string }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(options.url, { headers: { ...options.headers }, signal });
    const text = await readBounded(response, options.maxBytes);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (error instanceof ProviderUnreachableError) throw error;
    if (signal.aborted)
      throw new ProviderUnreachableError(`timed out after ${options.timeoutMs} ms`);
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new ProviderUnreachableError(
      `request failed: ${cause ?? (error instanceof Error ? error.message : String(error))}`,
    );
  }
}

/** GET a JSON resource (a provider's API). */
export async function fetchJson(options: FetchJsonOptions): Promise<JsonResponse> {
  const { status, headers, text } = await boundedGet({
    ...options,
    headers: { accept: 'application/json', ...options.headers },
  });
  return { status, headers, body: parseOrUndefined(text) };
}

/** GET a text resource (a feed); anything but 2xx is an error naming the URL. */
export async function fetchText(options: BoundedGet): Promise<string> {
  try {
    const { status, text } = await boundedGet(options);
    if (status < 200 || status > 299) throw new ProviderUnreachableError(`answered HTTP ${status}`);
    return text;
  } catch (error) {
    if (error instanceof ProviderUnreachableError)
      throw new ProviderUnreachableError(`${options.url} ${error.message}`);
    throw error;
  }
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or malformed. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
