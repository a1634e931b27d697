// The ingest app in-process for its integration specs, booted as main.ts boots it, against the
// real stack, logging into memory.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { readIngestConfig, type IngestConfig } from '../src/ingest.config';
import { createIngestApp } from '../src/ingest.module';

export interface RunningIngest {
  readonly app: INestApplication;
  readonly config: IngestConfig;
  readonly url: string;
  /** The syslog listeners' ports when SYSLOG_TENANT_ID was set (ports 0 pick free ones). */
  readonly syslog: { readonly tcpPort: number; readonly udpPort: number } | null;
  /** The app's JSON log lines so far, for failure messages. */
  readonly logs: () => string;
  readonly close: () => Promise<void>;
}

/**
 * Boots the ingest app in-process as main.ts does (no body parser: the controller reads bodies
 * itself), listening on a free port, and logs into memory instead of stdout.
 */
export async function startIngest(env: Readonly<Record<string, string>>): Promise<RunningIngest> {
  const config = readIngestConfig({ ...env });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger: Logger = pino({ name: 'ingest', level: 'info' }, sink);
  const app = await createIngestApp({ config, logger });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    syslog: config.syslog ? syslogPorts(lines) : null,
    logs: () => lines.join('').slice(-20_000),
    close: () => app.close(),
  };
}

/** The syslog server reports the ports it bound in its 'syslog listening' log record. */
function syslogPorts(lines: readonly string[]): { tcpPort: number; udpPort: number } {
  for (const line of lines) {
    const record = JSON.parse(line) as { msg?: unknown; tcpPort?: unknown; udpPort?: unknown };
    if (
      record.msg === 'syslog listening' &&
      typeof record.tcpPort === 'number' &&
      typeof record.udpPort === 'number'
    ) {
      return { tcpPort: record.tcpPort, udpPort: record.udpPort };
    }
  }
  throw new Error(`the ingest app did not log its syslog ports:\n${lines.join('')}`);
}
