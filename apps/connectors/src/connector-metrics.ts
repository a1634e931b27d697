import { Counter, Gauge, type Registry } from 'prom-client';

/** The connectors' own series, on the app's registry. */
export class ConnectorMetrics {
  readonly polls: Counter<'connector' | 'outcome'>;
  readonly records: Counter<'connector'>;
  readonly lastCommit: Gauge<'connector'>;
  readonly settingsProblems: Gauge;

  constructor(registry: Registry) {
    this.polls = new Counter({
      name: 'soc_connector_polls_total',
      help: 'Polls of a source, by connector and outcome (ok, failed, throttled, fenced)',
      labelNames: ['connector', 'outcome'],
      registers: [registry],
    });
    this.records = new Counter({
      name: 'soc_connector_records_total',
      help: 'Records pulled and committed to the raw topic, by connector',
      labelNames: ['connector'],
      registers: [registry],
    });
    this.lastCommit = new Gauge({
      name: 'soc_connector_last_commit_seconds',
      help: 'When the connector last committed a page (epoch seconds)',
      labelNames: ['connector'],
      registers: [registry],
    });
    this.settingsProblems = new Gauge({
      name: 'soc_connector_settings_problems',
      help: "Problems of the tenants' connector settings in force: each entry named is not run",
      registers: [registry],
    });
  }
}
