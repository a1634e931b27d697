// Where everything of the stack lives under the git-ignored `.stack/` folder (pure).
import { join } from 'node:path';
import { REGISTRY_RUNNER_JAR } from './config';

export interface StackLayout {
  readonly repoRoot: string;
  readonly dir: string;
  readonly stateFile: string;
  readonly envFile: string;
  readonly lockDir: string;
  readonly leasesDir: string;
  readonly kafka: {
    readonly dir: string;
    /** Runtime classpath copied by Maven from deploy/kafka/pom.xml. */
    readonly libs: string;
    readonly pom: string;
    readonly data: string;
    readonly serverProperties: string;
    readonly log4j2: string;
    readonly log: string;
    readonly stdout: string;
  };
  readonly registry: {
    readonly dir: string;
    readonly app: string;
    readonly jar: string;
    readonly log: string;
  };
  /** Default place; see StackState.pgDir for the fallback outside the repository. */
  readonly postgres: PostgresPaths;
}

export interface PostgresPaths {
  readonly dir: string;
  readonly data: string;
  readonly log: string;
}

export const postgresPaths = (dir: string): PostgresPaths => ({
  dir,
  data: join(dir, 'data'),
  log: join(dir, 'server.log'),
});

/** Marker written after a complete artifact fetch; holds what was fetched, to refetch on change. */
export const FETCHED_MARKER = '.fetched';

export const stackLayout = (repoRoot: string): StackLayout => {
  const dir = join(repoRoot, '.stack');
  const kafka = join(dir, 'kafka');
  const registry = join(dir, 'registry');
  const postgres = join(dir, 'pg');
  return {
    repoRoot,
    dir,
    stateFile: join(dir, 'stack.json'),
    envFile: join(dir, 'env'),
    lockDir: join(dir, 'lock'),
    leasesDir: join(dir, 'leases'),
    kafka: {
      dir: kafka,
      libs: join(kafka, 'libs'),
      pom: join(repoRoot, 'deploy', 'kafka', 'pom.xml'),
      data: join(kafka, 'data'),
      serverProperties: join(kafka, 'server.properties'),
      log4j2: join(kafka, 'log4j2.properties'),
      log: join(kafka, 'logs', 'server.log'),
      stdout: join(kafka, 'logs', 'stdout.log'),
    },
    registry: {
      dir: registry,
      app: join(registry, 'app'),
      jar: join(registry, 'app', REGISTRY_RUNNER_JAR),
      log: join(registry, 'registry.log'),
    },
    postgres: postgresPaths(postgres),
  };
};
