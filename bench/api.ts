/**
 * The query API under a fixed request rate: a read model filled by the projector (see
 * projector-run.ts), the query-api as a child process, an analyst key, then autocannon at a
 * fixed rate against the incident list and the incident detail, one after the other.
 * Prints one JSON object.
 *
 *   npm run bench:api -- [--events 50000] [--rate 1000] [--duration 10] [--connections 20] [--smoke]
 */
import autocannon from 'autocannon';
import { ensureTenant, issueApiKey, openDataSource } from '@soc/persistence';
import { runProjectorBench } from './projector-run';
import {
  benchEnv,
  cpuSeconds,
  machine,
  numberFlag,
  peakRssMb,
  readFlags,
  round1,
  runId,
  startService,
  runBench,
} from './support';

interface EndpointFigures {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: Record<string, number>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

async function load(
  url: string,
  apiKey: string,
  paths: readonly string[],
  rate: number,
  seconds: number,
  connections: number,
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

async function main(): Promise<void> {
  const flags = readFlags();
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

      const api = await startService({
        name: 'query-api',
        env: {
          KAFKA_BROKERS: env.kafkaBrokers,
          SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
          DATABASE_URL: database.url,
          ...database.serviceEnv,
          FEEDBACK_TOPIC: `${id}.feedback`,
          TENANT_CONFIG_TOPIC: `${id}.tenant-config`,
          TOPIC_PARTITIONS: String(numberFlag(flags, 'partitions', 3)),
        },
        portVariable: 'QUERY_API_HTTP_PORT',
        nodeArgs: flags.has('cpu-prof')
          ? ['--cpu-prof', `--cpu-prof-dir=${flags.get('cpu-prof')}`]
          : [],
      });
      try {
        // Warm up the JIT, the pool and the key cache before measuring.
        await load(api.url, apiKey, ['/api/v1/incidents'], Math.min(rate, 200), 1, 2);
        const cpuBefore = cpuSeconds(api.pid);
        const list = await load(
          api.url,
          apiKey,
          ['/api/v1/incidents?limit=50'],
          rate,
          seconds,
          connections,
        );
        const detailPaths = incidentIds.map(
          (incidentId) => `/api/v1/incidents/${encodeURIComponent(incidentId)}`,
        );
        const detail = await load(api.url, apiKey, detailPaths, rate, seconds, connections);
        const cpu = cpuSeconds(api.pid) - cpuBefore;
        console.log(
          JSON.stringify({
            bench: 'api',
            smoke,
            targetRate: rate,
            durationSeconds: seconds,
            connections,
            readModel: {
              ...(populated.figures['rows'] as object),
              tenantOfKey: tenantId,
              detailIds: incidentIds.length,
            },
            list,
            detail,
            apiCpuSeconds: round1(cpu),
            apiCpuCores: Math.round((cpu / (2 * seconds)) * 100) / 100,
            apiPeakRssMB: peakRssMb(api.pid),
            machine: machine(),
          }),
        );
      } finally {
        await api.stop();
      }
    } finally {
      await populated.cleanup();
    }
  } finally {
    await env.release();
  }
}

runBench(main);
