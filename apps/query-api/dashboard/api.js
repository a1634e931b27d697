// The query API as the dashboard uses it: JSON over fetch with the API key header, and the
// live stream over EventSource (which cannot send headers, hence ?key=).

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
    entity: (type, value) =>
      call('GET', `/entities/${encodeURIComponent(type)}/${encodeURIComponent(value)}`),
    stats: (hours) =>
      call(
        'GET',
        `/stats${query({ from: new Date(Date.now() - hours * 3600_000).toISOString() })}`,
      ),
    /** An analyst action; waits until the projection shows it (the answer carries the incident). */
    act: (id, action, body = {}) =>
      call('POST', `/incidents/${encodeURIComponent(id)}/${action}?wait=true`, body),
    feedback: (body) => call('POST', '/feedback?wait=true', body),
    /** Live updates; returns a function that closes the stream. */
    stream(handlers) {
      const source = new EventSource(`/api/v1/stream?key=${encodeURIComponent(key)}`);
      source.addEventListener('ready', () => handlers.status('live'));
      source.addEventListener('incidents', (event) =>
        handlers.incidents(JSON.parse(event.data).incidents),
      );
      source.addEventListener('refresh', () => handlers.refresh());
      source.onerror = () =>
        handlers.status(source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting');
      return () => source.close();
    },
  };
}
