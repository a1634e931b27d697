// Finds the binaries the stack runs (Java, Maven, the PostgreSQL server) and fails with the
// Debian package to install when one is missing.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEBIAN_PACKAGES,
  MIN_JAVA_MAJOR,
  newestPostgresMajor,
  parseJavaMajor,
  PG_USER,
} from './config';
import { isRoot, run, which } from './processes';

export class MissingToolError extends Error {
  constructor(what: string, debianPackage: string, detail = '') {
    super(
      `${what} not found${detail ? ` (${detail})` : ''}: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage.split(' ')[0]})`,
    );
    this.name = 'MissingToolError';
  }
}

let javaCache: Promise<string> | undefined;

/** JAVA_HOME's java, else java on PATH, checked to be Java 17 or newer. */
export function findJava(): Promise<string> {
  javaCache ??= (async () => {
    const fromHome = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : undefined;
    const java = fromHome && existsSync(fromHome) ? fromHome : which('java');
    if (!java) throw new MissingToolError('java', DEBIAN_PACKAGES.java);
    const { stdout, stderr } = await run(java, ['-version']);
    const major = parseJavaMajor(`${stderr}${stdout}`);
    if (major === undefined || major < MIN_JAVA_MAJOR) {
      throw new MissingToolError(
        `Java ${MIN_JAVA_MAJOR}+`,
        DEBIAN_PACKAGES.java,
        `${java} is version ${major ?? 'unknown'}`,
      );
    }
    return java;
  })();
  javaCache.catch(() => (javaCache = undefined));
  return javaCache;
}

export function findMaven(): string {
  const mvn = which('mvn');
  if (!mvn) throw new MissingToolError('Maven (mvn)', DEBIAN_PACKAGES.maven);
  return mvn;
}

export function findTar(): string {
  const tar = which('tar');
  if (!tar) throw new MissingToolError('tar', DEBIAN_PACKAGES.tar);
  return tar;
}

const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

export interface PostgresTools {
  readonly binDir: string;
  readonly major: string;
  /** Prefix that runs a command as the postgres user: the server refuses to run as root. */
  readonly asServerUser: (command: string, args: readonly string[]) => [string, string[]];
}

/** The newest Debian PostgreSQL server (initdb, pg_ctl); STACK_PG_BIN_DIR overrides the search. */
export async function findPostgres(): Promise<PostgresTools> {
  const override = process.env.STACK_PG_BIN_DIR;
  let binDir: string | undefined;
  let major = 'unknown';
  if (override) {
    binDir = override;
  } else {
    const majors = existsSync(DEBIAN_PG_ROOT)
      ? readdirSync(DEBIAN_PG_ROOT).filter((name) =>
          existsSync(join(DEBIAN_PG_ROOT, name, 'bin', 'pg_ctl')),
        )
      : [];
    const newest = newestPostgresMajor(majors);
    if (newest) {
      binDir = join(DEBIAN_PG_ROOT, newest, 'bin');
      major = newest;
    }
  }
  if (!binDir || !existsSync(join(binDir, 'pg_ctl')) || !existsSync(join(binDir, 'initdb'))) {
    throw new MissingToolError(
      'PostgreSQL server binaries (initdb, pg_ctl)',
      DEBIAN_PACKAGES.postgres,
      override ? `STACK_PG_BIN_DIR=${override}` : `looked in ${DEBIAN_PG_ROOT}/*/bin`,
    );
  }
  if (!isRoot()) return { binDir, major, asServerUser: (command, args) => [command, [...args]] };
  const runuser = which('runuser') ?? '/usr/sbin/runuser';
  if (!existsSync(runuser)) throw new MissingToolError('runuser', 'util-linux');
  const id = await run('id', ['-u', PG_USER]);
  if (id.code !== 0) {
    throw new MissingToolError(
      `the ${PG_USER} user (needed to run the server as root)`,
      'postgresql-common',
    );
  }
  return {
    binDir,
    major,
    asServerUser: (command, args) => [runuser, ['-u', PG_USER, '--', command, ...args]],
  };
}
