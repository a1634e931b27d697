import { parseDurationMs } from '@soc/config';
import { createLogger } from '@soc/observability';
import { readProjectorConfig } from './projector.config';
import { createProjectorApp, createRebuildParts } from './projector.module';
import { rebuildReadModel } from './rebuild';

/**
 * `projector`            consume incident and feedback events into the read model
 * `projector rebuild`    replay both topics into a shadow schema and swap it in
 *   --no-swap            keep the shadow schema (read_model_rebuild) for inspection
 *   --compare            report rows differing from the live tables before swapping
 *   --timeout 10m        give up when the replay has not reached the end offsets by then
 */
async function main(argv: readonly string[]): Promise<number> {
  const logger = createLogger('projector');
  const config = readProjectorConfig();
  const [mode, ...rest] = argv;
  if (mode === 'rebuild') {
    const timeout = flagValue(rest, '--timeout');
    const parts = await createRebuildParts(config, logger);
    try {
      const report = await rebuildReadModel({
        ...parts,
        logger,
        incidentsTopic: config.incidentsTopic,
        feedbackTopic: config.feedbackTopic,
        swap: !rest.includes('--no-swap'),
        compare: rest.includes('--compare'),
        timeoutMs: timeout === undefined ? 10 * 60_000 : requireDuration(timeout),
      });
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    } finally {
      await parts.dataSource.destroy();
    }
  }
  if (mode !== undefined) {
    logger.error({ mode }, 'unknown mode: expected no argument or "rebuild"');
    return 2;
  }
  const app = await createProjectorApp(config, logger);
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info({ port: config.httpPort, groupId: config.groupId }, 'projector running');
  // The server and the consumer keep the process alive; shutdown hooks end both on SIGTERM.
  return 0;
}

function flagValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

function requireDuration(raw: string): number {
  const parsed = parseDurationMs(raw);
  if (parsed === undefined)
    throw new Error(`--timeout: expected a duration such as 90s or 10m, got '${raw}'`);
  return parsed;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    createLogger('projector').fatal({ err: error }, 'projector failed');
    process.exit(1);
  },
);
