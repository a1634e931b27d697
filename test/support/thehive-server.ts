import { startHttpReceiver, type HttpReceiver, type ReceiverAnswer } from './http-receiver';

/**
 * A local stand-in for TheHive 5's alert API, answering as TheHive documents and does: 201
 * with the alert for a creation, 400 CreateError "Alert already exists" for a second alert
 * with the same (type, source, sourceRef), the query API's list, 204 for an update, 400
 * "Observable already exists" for a repeated observable, 401 without the API key.
 */
export interface StoredAlert {
  readonly _id: string;
  readonly type: string;
  readonly source: string;
  readonly sourceRef: string;
  title: string;
  description: string;
  severity: number;
  tags: string[];
  observables: { dataType: string; data: string }[];
}

export interface TheHiveServer extends HttpReceiver {
  readonly alerts: StoredAlert[];
}

type Filter = { _eq?: { _field: string; _value: string }; _and?: Filter[] };

const matches = (alert: StoredAlert, filter: Filter | undefined): boolean => {
  if (!filter) return true;
  if (filter._and) return filter._and.every((part) => matches(alert, part));
  if (filter._eq)
    return (alert as unknown as Record<string, unknown>)[filter._eq._field] === filter._eq._value;
  return true;
};

const error = (status: number, type: string, message: string): ReceiverAnswer => ({
  status,
  body: { type, message },
});

export async function startTheHiveServer(apiKey: string): Promise<TheHiveServer> {
  const alerts: StoredAlert[] = [];
  const byId = (id: string) => alerts.find((alert) => alert._id === decodeURIComponent(id));
  const receiver = await startHttpReceiver((request) => {
    if (request.headers.authorization !== `Bearer ${apiKey}`)
      return error(401, 'AuthenticationError', 'Authentication failure');
    const body = (request.body ? JSON.parse(request.body) : {}) as Record<string, unknown>;
    const path = request.path.split('?')[0] ?? '';
    if (request.method === 'POST' && path === '/api/v1/alert') {
      const { type, source, sourceRef } = body as {
        type: string;
        source: string;
        sourceRef: string;
      };
      if (alerts.some((a) => a.type === type && a.source === source && a.sourceRef === sourceRef))
        return error(400, 'CreateError', 'Alert already exists');
      const alert: StoredAlert = {
        _id: `~${40960 + alerts.length * 8}`,
        type,
        source,
        sourceRef,
        title: String(body.title),
        description: String(body.description),
        severity: Number(body.severity ?? 2),
        tags: (body.tags as string[]) ?? [],
        observables: ((body.observables as { dataType: string; data: string }[]) ?? []).map(
          ({ dataType, data }) => ({ dataType, data }),
        ),
      };
      alerts.push(alert);
      return {
        status: 201,
        body: { ...alert, _type: 'Alert', observableCount: alert.observables.length },
      };
    }
    if (request.method === 'POST' && path === '/api/v1/query') {
      const query = (body.query as { _name: string }[]) ?? [];
      const filter = query.find((step) => step._name === 'filter') as Filter | undefined;
      return { status: 200, body: alerts.filter((alert) => matches(alert, filter)) };
    }
    const observable = /^\/api\/v1\/alert\/([^/]+)\/observable$/.exec(path);
    if (request.method === 'POST' && observable) {
      const alert = byId(observable[1] ?? '');
      if (!alert) return error(404, 'NotFoundError', `Alert ${observable[1]} not found`);
      const { dataType, data } = body as { dataType: string; data: string };
      if (alert.observables.some((o) => o.dataType === dataType && o.data === data))
        return error(400, 'CreateError', 'Observable already exists');
      alert.observables.push({ dataType, data });
      return { status: 201, body: [{ _id: `~obs${alert.observables.length}`, dataType, data }] };
    }
    const update = /^\/api\/v1\/alert\/([^/]+)$/.exec(path);
    if (request.method === 'PATCH' && update) {
      const alert = byId(update[1] ?? '');
      if (!alert) return error(404, 'NotFoundError', `Alert ${update[1]} not found`);
      if (typeof body.title === 'string') alert.title = body.title;
      if (typeof body.description === 'string') alert.description = body.description;
      if (typeof body.severity === 'number') alert.severity = body.severity;
      for (const tag of (body.addTags as string[]) ?? [])
        if (!alert.tags.includes(tag)) alert.tags.push(tag);
      return { status: 204 };
    }
    return error(404, 'NotFoundError', `${request.method} ${path} not found`);
  });
  return { ...receiver, alerts };
}
