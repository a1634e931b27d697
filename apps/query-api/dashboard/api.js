// The query API as the dashboard uses it: JSON over fetch with the API key header, and the
// live stream read from a fetch body too, so the key travels in a header and never in a URL
// (EventSource cannot send headers; URLs end up in logs and browser history).

export class ApiError extends Error {
  constructor(status, body) {
    const problems = Array.isArray(body?.errors)
      ? body.errors.map((e) => `${e.path}: ${e.reason}`).join('; ')
      : '';
    super(problems || body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function createApi(key) {
  async function call(method, path, body) {
    const response = await fetch(`/api/v1${path}`, {
      method,
      headers: {
        'x-api-key': key,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, parsed);
    return parsed;
  }

  const query = (params) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params))
      if (value !== undefined && value !== null && value !== '') search.set(name, value);
    const text = search.toString();
    return text ? `?${text}` : '';
  };

  return {
    me: () => call('GET', '/me'),
    incidents: (params) => call('GET', `/incidents${query(params)}`),
    incident: (id) => call('GET', `/incidents/${encodeURIComponent(id)}`),
    stories: (params) => call('GET', `/stories${query(params)}`),
    story: (id) => call('GET', `/stories/${encodeURIComponent(id)}`),
    entity: (type, value) =>
      call('GET', `/entities/${encodeURIComponent(type)}/${encodeURIComponent(value)}`),
    stats: (hours, bucket = 'hour') =>
      call(
        'GET',
        `/stats${query({ from: new Date(Date.now() - hours * 3600_000).toISOString(), bucket })}`,
      ),
    /** An analyst action; waits until the projection shows it (the answer carries the incident). */
    act: (id, action, body = {}) =>
      call('POST', `/incidents/${encodeURIComponent(id)}/${action}?wait=true`, body),
    feedback: (body) => call('POST', '/feedback?wait=true', body),
    tenantConfig: () => call('GET', '/admin/tenant-config'),
    saveTenantConfig: (body) => call('PUT', '/admin/tenant-config', body),
    suppressionProposals: () => call('GET', '/admin/suppression-proposals'),
    /** `action`: accept or reject; the body names the version decided on and why. */
    decideProposal: (id, action, body) =>
      call('POST', `/admin/suppression-proposals/${encodeURIComponent(id)}/${action}`, body),
    /** Live updates; reconnects when the server ends a stream; returns a function that stops. */
    stream(handlers) {
      let stopped = false;
      let controller = null;
      const dispatch = (event, data) => {
        if (event === 'ready') handlers.status('live');
        else if (event === 'incidents') handlers.incidents(JSON.parse(data).incidents);
        else if (event === 'refresh') handlers.refresh();
        else if (event === 'revoked') {
          stopped = true;
          handlers.status('offline');
        }
      };
      const connect = async () => {
        while (!stopped) {
          controller = new AbortController();
          try {
            const response = await fetch('/api/v1/stream', {
              headers: { 'x-api-key': key, accept: 'text/event-stream' },
              signal: controller.signal,
            });
            if (response.status === 401 || response.status === 403) {
              handlers.status('offline');
              return;
            }
            if (response.ok && response.body) await readEvents(response.body, dispatch);
          } catch {
            // Network error or stop(): fall through to the reconnect delay.
          }
          if (!stopped) handlers.status('reconnecting');
          await new Promise((resolve) => setTimeout(resolve, 3000));
        }
      };
      connect();
      return () => {
        stopped = true;
        controller?.abort();
      };
    },
  };
}

/** Reads `event:`/`data:` blocks of a text/event-stream body until it ends. */
async function readEvents(body, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) dispatch(event, data.join('\n'));
    }
  }
}
