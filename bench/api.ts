/**
 * The query API under a fixed request rate: a read model filled by the projector (see
 * projector-run.ts), the query-api as a child process, an analyst key, then autocannon at a
 * fixed rate against the incident list and the incident detail, one after the other.
 * Prints one JSON object.
 *
 * With `--instances N`, N query-api processes share the offered rate and the connections, each
 * loaded by its own autocannon; the figures add the rates and take the worst instance's
 * latency percentiles (the runs cannot be merged into one histogram).
 *
 *   npm run bench:api -- [--events 50000] [--rate 1000] [--duration 10] [--connections 20] [--instances 1] [--smoke] [--no-build]
 *
 * The services run compiled (`npm run build` first, unless `--no-build`), as production starts them.
 */
import autocannon from 'autocannon';
import { ensureTenant, issueApiKey, openDataSource } from '@soc/persistence';
import { runProjectorBench } from './projector-run';
import {
  benchEnv,
  buildUnlessSkipped,
  cpuSeconds,
  machine,
  numberFlag,
  peakRssMb,
  readFlags,
  round1,
  runId,
  startService,
  runBench,
  type BenchEnv,
  type Service,
} from './support';

interface EndpointFigures {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: Record<string, number>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

interface Load {
  readonly apiKey: string;
  readonly paths: readonly string[];
  readonly rate: number;
  readonly seconds: number;
  readonly connections: number;
}

async function loadOne(
  url: string,
  { apiKey, paths, rate, seconds, connections }: Load,
): Promise<EndpointFigures> {
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    overallRate: rate,
    duration: seconds,
    headers: { 'x-api-key': apiKey },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          request.path = paths[next % paths.length] as string;
          next += 1;
          return request;
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: round1(result.requests.total / seconds),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** One autocannon per instance, the rate and connections shared out; rates add, latency is the worst. */
async function loadAll(
  apis: readonly Service[],
  load: Load,
): Promise<EndpointFigures & { perInstance?: EndpointFigures[] }> {
  const share = (total: number) => Math.max(1, Math.round(total / apis.length));
  const runs = await Promise.all(
    apis.map((api) =>
      loadOne(api.url, { ...load, rate: share(load.rate), connections: share(load.connections) }),
    ),
  );
  if (runs.length === 1) return runs[0] as EndpointFigures;
  const sum = (pick: (run: EndpointFigures) => number) => runs.reduce((n, run) => n + pick(run), 0);
  const worst = (name: string) => Math.max(...runs.map((run) => run.latencyMs[name] ?? 0));
  return {
    requests: sum((run) => run.requests),
    requestsPerSecond: round1(sum((run) => run.requestsPerSecond)),
    latencyMs: { p50: worst('p50'), p90: worst('p90'), p99: worst('p99'), max: worst('max') },
    non2xx: sum((run) => run.non2xx),
    errors: sum((run) => run.errors),
    timeouts: sum((run) => run.timeouts),
    perInstance: runs,
  };
}

function startApi({
  env,
  database,
  id,
  flags,
  label,
}: {
  env: BenchEnv;
  database: { readonly url: string; readonly serviceEnv: Readonly<Record<string, string>> };
  id: string;
  flags: Map<string, string>;
  label: string;
}): Promise<Service> {
  return startService({
    name: 'query-api',
    label,
    env: {
      KAFKA_BROKERS: env.kafkaBrokers,
      SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
      DATABASE_URL: database.url,
      ...database.serviceEnv,
      FEEDBACK_TOPIC: `${id}.feedback`,
      TENANT_CONFIG_TOPIC: `${id}.tenant-config`,
      TOPIC_PARTITIONS: String(numberFlag(flags, 'partitions', 3)),
      // The bench offers one key's whole rate; the per-key limit (50/s by default) would
      // answer 429 to nearly all of it and measure the limiter instead of the reads.
      QUERY_API_RATE_LIMIT: '1000000',
      QUERY_API_RATE_BURST: '1000000',
    },
    portVariable: 'QUERY_API_HTTP_PORT',
    nodeArgs: flags.has('cpu-prof')
      ? ['--cpu-prof', `--cpu-prof-dir=${flags.get('cpu-prof')}`]
      : [],
  });
}

async function main(): Promise<void> {
  const flags = readFlags();
  buildUnlessSkipped(flags);
  const smoke = flags.has('smoke');
  const rate = numberFlag(flags, 'rate', smoke ? 50 : 1_000);
  const seconds = numberFlag(flags, 'duration', smoke ? 2 : 10);
  const connections = numberFlag(flags, 'connections', smoke ? 2 : 20);
  const id = runId('api');
  const env = await benchEnv();
  try {
    const populated = await runProjectorBench(env, {
      events: numberFlag(flags, 'events', smoke ? 500 : 50_000),
      tenants: numberFlag(flags, 'tenants', 3),
      partitions: numberFlag(flags, 'partitions', 3),
      seed: flags.get('seed') ?? 'bench',
      id,
      keep: true,
    });
    await populated.projector?.stop();
    const database = populated.database;
    try {
      const tenantId = populated.tenantIds[0] as string;
      const dataSource = await openDataSource({ url: database.url, applicationName: 'bench-api' });
      await ensureTenant(dataSource, tenantId, tenantId);
      const { apiKey } = await issueApiKey(dataSource, {
        tenantId,
        role: 'analyst',
        name: 'bench',
      });
      const incidentIds = (
        (await dataSource.query(
          'SELECT incident_id FROM read_model.incidents WHERE tenant_id = $1 ORDER BY last_seen DESC LIMIT 500',
          [tenantId],
        )) as { incident_id: string }[]
      ).map((row) => row.incident_id);
      await dataSource.destroy();

      const instances = numberFlag(flags, 'instances', 1);
      const apis: Service[] = [];
      try {
        for (let i = 0; i < instances; i += 1)
          apis.push(
            await startApi({
              env,
              database,
              id,
              flags,
              label: `query-api-${i + 1}`,
            }),
          );
        // Warm up the JIT, the pool and the key cache before measuring.
        await loadAll(apis, {
          apiKey,
          paths: ['/api/v1/incidents'],
          rate: Math.min(rate, 200),
          seconds: 1,
          connections: 2,
        });
        const cpuBefore = apis.map((api) => cpuSeconds(api.pid));
        const list = await loadAll(apis, {
          apiKey,
          paths: ['/api/v1/incidents?limit=50'],
          rate,
          seconds,
          connections,
        });
        const detailPaths = incidentIds.map(
          (incidentId) => `/api/v1/incidents/${encodeURIComponent(incidentId)}`,
        );
        const detail = await loadAll(apis, {
          apiKey,
          paths: detailPaths,
          rate,
          seconds,
          connections,
        });
        const cpu = apis.reduce(
          (sum, api, i) => sum + cpuSeconds(api.pid) - (cpuBefore[i] ?? 0),
          0,
        );
        console.log(
          JSON.stringify({
            bench: 'api',
            smoke,
            targetRate: rate,
            durationSeconds: seconds,
            connections,
            instances,
            readModel: {
              ...(populated.figures['rows'] as object),
              tenantOfKey: tenantId,
              detailIds: incidentIds.length,
            },
            list,
            detail,
            apiCpuSeconds: round1(cpu),
            apiCpuCores: Math.round((cpu / (2 * seconds)) * 100) / 100,
            apiPeakRssMB: apis.map((api) => peakRssMb(api.pid)),
            machine: machine(),
          }),
        );
      } finally {
        await Promise.all(apis.map((api) => api.stop()));
      }
    } finally {
      await populated.cleanup();
    }
  } finally {
    await env.release();
  }
}

runBench(main);
