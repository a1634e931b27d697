// Fetches the stack's Java artifacts with Maven into .stack/ once: the Kafka broker classpath
// (deploy/kafka/pom.xml) and the Apicurio Registry app tarball. Each lands in a temporary folder
// and is renamed into place when complete, with a marker naming what was fetched, so an
// interrupted fetch is redone and a changed pom or version is fetched again.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { REGISTRY_ARTIFACT, REGISTRY_RUNNER_JAR } from './config';
import { FETCHED_MARKER, StackLayout } from './layout';
import { runChecked } from './processes';
import { findMaven, findTar } from './toolchain';

export type Reporter = (message: string) => void;

const readMarker = (dir: string): string | undefined => {
  try {
    return readFileSync(join(dir, FETCHED_MARKER), 'utf8').trim();
  } catch {
    return undefined;
  }
};

const staging = (target: string): string => {
  const dir = `${target}.partial-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
};

const publish = (stagingDir: string, target: string, marker: string): void => {
  writeFileSync(join(stagingDir, FETCHED_MARKER), `${marker}\n`);
  rmSync(target, { recursive: true, force: true });
  renameSync(stagingDir, target);
};

// -B: no colours or progress bars in captured output; -q: only errors.
const MAVEN_FLAGS = ['-B', '-q'];

export async function ensureKafkaLibs(layout: StackLayout, report: Reporter): Promise<void> {
  const pomHash = createHash('sha256').update(readFileSync(layout.kafka.pom)).digest('hex');
  if (readMarker(layout.kafka.libs) === pomHash) return;
  const mvn = findMaven();
  report('fetching the Kafka broker jars with Maven (first run only)');
  const dir = staging(layout.kafka.libs);
  try {
    await runChecked('Maven fetch of the Kafka broker', mvn, [
      ...MAVEN_FLAGS,
      '-f',
      layout.kafka.pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${dir}`,
    ]);
    if (!readdirSync(dir).some((name) => name.startsWith('kafka_'))) {
      throw new Error(`Maven copied no Kafka jar into ${dir}`);
    }
    publish(dir, layout.kafka.libs, pomHash);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function ensureRegistryApp(layout: StackLayout, report: Reporter): Promise<void> {
  if (readMarker(layout.registry.app) === REGISTRY_ARTIFACT && existsSync(layout.registry.jar))
    return;
  const mvn = findMaven();
  const tar = findTar();
  report(`fetching ${REGISTRY_ARTIFACT} with Maven (first run only, about 110 MB)`);
  const dir = staging(layout.registry.app);
  const download = staging(join(layout.registry.dir, 'download'));
  try {
    // The app's descriptor cannot be resolved (its parent pom is not published), so copy the one
    // artifact by coordinates instead of resolving dependencies. No pom in the working folder.
    await runChecked(
      'Maven fetch of the schema registry',
      mvn,
      [
        ...MAVEN_FLAGS,
        'dependency:copy',
        `-Dartifact=${REGISTRY_ARTIFACT}`,
        `-DoutputDirectory=${download}`,
      ],
      { cwd: download },
    );
    const tarball = readdirSync(download).find((name) => name.endsWith('.tar.gz'));
    if (!tarball) throw new Error(`Maven copied no tarball of ${REGISTRY_ARTIFACT}`);
    await runChecked('unpacking the schema registry', tar, [
      '-xzf',
      join(download, tarball),
      '-C',
      dir,
    ]);
    if (!existsSync(join(dir, REGISTRY_RUNNER_JAR)))
      throw new Error(`${REGISTRY_RUNNER_JAR} missing from ${tarball}`);
    publish(dir, layout.registry.app, REGISTRY_ARTIFACT);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    // Maven keeps the tarball in its own repository; the unpacked app is the stack's cache.
    rmSync(download, { recursive: true, force: true });
  }
}
