import { DeliveryError, isRetryableStatus, retryAfterMs } from './delivery-error';

export interface HttpRequest {
  readonly method: 'POST' | 'PATCH';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** Longest part of a refusal's body kept in the dead-letter reason. */
const REASON_BODY_CHARS = 300;

/**
 * Sends one request; resolves with the response of a 2xx, throws DeliveryError otherwise.
 * Network errors and timeouts are retryable; so are 5xx, 408, 425 and 429.
 */
export async function sendHttp(request: HttpRequest): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new DeliveryError(
      `${request.method} ${originOf(request.url)} failed: ${cause ?? (error instanceof Error ? error.message : String(error))}`,
      true,
    );
  }
  if (response.ok) return response;
  const text = (await response.text().catch(() => '')).slice(0, REASON_BODY_CHARS);
  throw new DeliveryError(
    `${request.method} ${originOf(request.url)} answered ${response.status}${text ? `: ${text}` : ''}`,
    isRetryableStatus(response.status),
    retryAfterMs(response.headers.get('retry-after'), Date.now()),
  );
}

/** Scheme, host and port only: a webhook URL's path may be its credential (Slack's is). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
