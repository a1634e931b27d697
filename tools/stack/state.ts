// The stack's state file (.stack/stack.json), pure: what `up` started (process ids) and the ports
// it chose. `down` stops only processes recorded here, so the file is the stack's ownership record.
import { isServiceName, PortAssignment, PortName, ServiceName, StackEnv, stackEnv } from './config';

export interface ServiceRecord {
  readonly pid: number;
  readonly startedAt: string;
  /** The registry only: the Postgres port its datasource points at (a moved Postgres means a restart). */
  readonly postgresPort?: number;
}

export interface StackState {
  readonly version: 1;
  /** The ports of the current or last run, preferred again on the next start. */
  readonly ports: Partial<PortAssignment>;
  readonly services: Partial<Record<ServiceName, ServiceRecord>>;
  /** Services a test run started: the last test run to leave stops them (see leases). */
  readonly autoStop: readonly ServiceName[];
  /** Postgres's folder when it is not .stack/pg (the postgres user cannot reach the repository). */
  readonly pgDir?: string;
}

export const emptyState = (): StackState => ({ version: 1, ports: {}, services: {}, autoStop: [] });

const PORT_NAMES: readonly PortName[] = ['kafka', 'kafkaController', 'registry', 'postgres'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isPort = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65_535;
const isPid = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 1;

/** Parses the state file; throws with the reason when it is not a state file of this version. */
export const parseState = (text: string): StackState => {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw) || raw.version !== 1) throw new Error('not a version 1 stack state');
  const ports: Partial<Record<PortName, number>> = {};
  if (isRecord(raw.ports)) {
    for (const name of PORT_NAMES) {
      const port = raw.ports[name];
      if (isPort(port)) ports[name] = port;
    }
  }
  const services: Partial<Record<ServiceName, ServiceRecord>> = {};
  if (isRecord(raw.services)) {
    for (const [name, value] of Object.entries(raw.services)) {
      if (!isServiceName(name) || !isRecord(value) || !isPid(value.pid)) continue;
      services[name] = {
        pid: value.pid,
        startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
        ...(isPort(value.postgresPort) ? { postgresPort: value.postgresPort } : {}),
      };
    }
  }
  const autoStop = Array.isArray(raw.autoStop)
    ? raw.autoStop.filter(
        (name): name is ServiceName => typeof name === 'string' && isServiceName(name),
      )
    : [];
  return {
    version: 1,
    ports,
    services,
    autoStop: [...new Set(autoStop)],
    ...(typeof raw.pgDir === 'string' && raw.pgDir !== '' ? { pgDir: raw.pgDir } : {}),
  };
};

export const serializeState = (state: StackState): string => `${JSON.stringify(state, null, 2)}\n`;

export const withService = (
  state: StackState,
  name: ServiceName,
  record: ServiceRecord,
): StackState => ({
  ...state,
  services: { ...state.services, [name]: record },
});

export const withoutService = (state: StackState, name: ServiceName): StackState => {
  const services = { ...state.services };
  delete services[name];
  return { ...state, services, autoStop: state.autoStop.filter((service) => service !== name) };
};

export const withPorts = (state: StackState, ports: Partial<PortAssignment>): StackState => ({
  ...state,
  ports: { ...state.ports, ...ports },
});

export const withAutoStop = (state: StackState, names: readonly ServiceName[]): StackState => ({
  ...state,
  autoStop: [...new Set(names)],
});

/** The clients' environment, once the state knows the port of every service. */
export const envOfState = (state: StackState): StackEnv | undefined => {
  const { kafka, registry, postgres } = state.ports;
  return kafka && registry && postgres ? stackEnv({ kafka, registry, postgres }) : undefined;
};
