// Port choice, pure apart from the probes it is given: the last port a service used is tried
// first (a restarted stack keeps its environment), then the default, then the next few ports
// above it, then a port the operating system picks.

export interface PortRequest<K extends string> {
  readonly name: K;
  /** Tried in order, e.g. the port from the last run, then the default. */
  readonly preferred: readonly number[];
}

export interface PortProbes {
  readonly isFree: (port: number) => Promise<boolean>;
  /** A port the operating system considers free right now. */
  readonly ephemeral: () => Promise<number>;
}

export const SCAN_ABOVE_DEFAULT = 20;

const isValidPort = (port: number): boolean => Number.isInteger(port) && port > 0 && port <= 65_535;

/** The candidates for one request, without duplicates: preferred ports, then a scan above the last. */
export const candidatePorts = (
  preferred: readonly number[],
  scan = SCAN_ABOVE_DEFAULT,
): number[] => {
  const valid = preferred.filter(isValidPort);
  const last = valid[valid.length - 1];
  const scanned =
    last === undefined
      ? []
      : Array.from({ length: scan }, (_, i) => last + 1 + i).filter(isValidPort);
  return [...new Set([...valid, ...scanned])];
};

/**
 * Gives every request a distinct free port. `reserved` ports (held by services that keep
 * running) are never handed out.
 */
export async function choosePorts<K extends string>(
  requests: readonly PortRequest<K>[],
  probes: PortProbes,
  reserved: readonly number[] = [],
): Promise<Record<K, number>> {
  const taken = new Set(reserved);
  const chosen = {} as Record<K, number>;
  for (const request of requests) {
    let port: number | undefined;
    for (const candidate of candidatePorts(request.preferred)) {
      if (!taken.has(candidate) && (await probes.isFree(candidate))) {
        port = candidate;
        break;
      }
    }
    for (let attempt = 0; port === undefined && attempt < 10; attempt += 1) {
      const candidate = await probes.ephemeral();
      if (!taken.has(candidate)) port = candidate;
    }
    if (port === undefined) throw new Error(`no free port found for ${request.name}`);
    taken.add(port);
    chosen[request.name] = port;
  }
  return chosen;
}
