// The stack command's arguments and output formats (pure).
import { isServiceName, SERVICES, ServiceName } from './config';

export type Command =
  | { readonly kind: 'up'; readonly json: boolean }
  | { readonly kind: 'down' }
  | { readonly kind: 'status'; readonly json: boolean }
  | { readonly kind: 'logs'; readonly service?: ServiceName; readonly lines: number }
  | { readonly kind: 'reset'; readonly artifacts: boolean }
  | { readonly kind: 'env'; readonly json: boolean }
  | { readonly kind: 'help' };

export type ParseResult = Command | { readonly kind: 'error'; readonly message: string };

export const USAGE = `usage: npm run stack -- <command>

  up [--json]           start Kafka, the schema registry and Postgres under .stack/ (idempotent);
                        prints export lines for eval "$(npm run -s stack -- up)", or JSON
  down                  stop what up started
  status [--json]       healthy / unhealthy / stopped per service; exit 1 unless all are healthy
  logs [service] [-n N] last N (100) log lines of ${SERVICES.join(', ')} or all
  env [--json]          print the environment of the running stack
  reset [--all]         down, then delete the data (--all: also the fetched artifacts)`;

export const parseCommand = (argv: readonly string[]): ParseResult => {
  const [name, ...rest] = argv;
  const flags = new Set(rest.filter((arg) => arg.startsWith('-')));
  const positional = rest.filter(
    (arg, i) => !arg.startsWith('-') && !['-n', '--lines'].includes(rest[i - 1] ?? ''),
  );
  const unknown = (allowed: readonly string[]): string | undefined =>
    [...flags].find((flag) => !allowed.includes(flag)) ??
    (positional.length > 0 && name !== 'logs' ? positional[0] : undefined);
  const reject = (allowed: readonly string[]): ParseResult | undefined => {
    const bad = unknown(allowed);
    return bad === undefined
      ? undefined
      : { kind: 'error', message: `unexpected argument ${bad} for ${name}` };
  };
  switch (name) {
    case 'up':
      return reject(['--json']) ?? { kind: 'up', json: flags.has('--json') };
    case 'down':
      return reject([]) ?? { kind: 'down' };
    case 'status':
      return reject(['--json']) ?? { kind: 'status', json: flags.has('--json') };
    case 'env':
      return reject(['--json']) ?? { kind: 'env', json: flags.has('--json') };
    case 'reset':
      return reject(['--all']) ?? { kind: 'reset', artifacts: flags.has('--all') };
    case 'logs': {
      const bad = reject(['-n', '--lines']);
      if (bad) return bad;
      const flagAt = rest.findIndex((arg) => arg === '-n' || arg === '--lines');
      const lines = flagAt >= 0 ? Number(rest[flagAt + 1]) : 100;
      if (!Number.isInteger(lines) || lines <= 0)
        return { kind: 'error', message: 'logs -n needs a positive whole number' };
      if (positional.length > 1)
        return { kind: 'error', message: `logs takes one service, got ${positional.join(' ')}` };
      const [service] = positional;
      if (service === undefined) return { kind: 'logs', lines };
      if (!isServiceName(service))
        return {
          kind: 'error',
          message: `unknown service ${service}; one of ${SERVICES.join(', ')}`,
        };
      return { kind: 'logs', service, lines };
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    default:
      return { kind: 'error', message: `unknown command ${name}` };
  }
};

export interface StatusRow {
  readonly service: string;
  readonly health: string;
  readonly pid?: number;
  readonly endpoint?: string;
}

export const formatStatus = (rows: readonly StatusRow[]): string =>
  rows
    .map((row) =>
      [
        row.service.padEnd(9),
        row.health.padEnd(10),
        (row.pid ? `pid ${row.pid}` : '-').padEnd(11),
        row.endpoint ?? '',
      ]
        .join(' ')
        .trimEnd(),
    )
    .join('\n') + '\n';
