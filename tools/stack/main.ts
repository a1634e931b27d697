// `npm run stack -- up | down | status | logs [service] | env | reset`: the local stack of Kafka,
// schema registry and Postgres under .stack/. Progress goes to stderr, results to stdout, so
// `eval "$(npm run -s stack -- up)"` exports the environment into the calling shell.
import { formatStatus, parseCommand, USAGE } from './cli';
import { renderExports } from './config';
import {
  resetStack,
  stackEnvironment,
  stackLogs,
  stackStatus,
  startStack,
  stopStack,
} from './stack';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'error':
      process.stderr.write(`stack: ${command.message}\n${USAGE}\n`);
      return 2;
    case 'up': {
      const { env, started } = await startStack();
      process.stdout.write(
        command.json ? `${JSON.stringify({ env, started })}\n` : renderExports(env),
      );
      return 0;
    }
    case 'down':
      await stopStack();
      return 0;
    case 'status': {
      const statuses = await stackStatus();
      process.stdout.write(command.json ? `${JSON.stringify(statuses)}\n` : formatStatus(statuses));
      return statuses.every((status) => status.health === 'healthy') ? 0 : 1;
    }
    case 'env': {
      const env = await stackEnvironment();
      if (!env) {
        process.stderr.write(
          'stack: not running (or not healthy); see `npm run stack -- status`\n',
        );
        return 1;
      }
      process.stdout.write(command.json ? `${JSON.stringify(env)}\n` : renderExports(env));
      return 0;
    }
    case 'logs': {
      const logs = stackLogs({
        ...(command.service ? { service: command.service } : {}),
        lines: command.lines,
      });
      if (logs.length === 0) process.stderr.write('stack: no logs yet\n');
      for (const log of logs)
        process.stdout.write(`==> ${log.service}: ${log.file} <==\n${log.text}\n`);
      return 0;
    }
    case 'reset':
      await resetStack({ artifacts: command.artifacts });
      return 0;
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`stack: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
