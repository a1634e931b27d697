import { Session } from 'node:inspector';

/** One call frame's share of the sampled allocations. */
export interface AllocationSite {
  readonly frame: string;
  readonly bytes: number;
}

export interface SampledAllocations {
  /** Bytes allocated while sampling, collected objects included. */
  readonly bytes: number;
  /** The frames that allocated most themselves, most first. */
  readonly top: readonly AllocationSite[];
}

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** What V8's sampling heap profiler posts back, synchronously in this thread. */
function post(session: Session, method: string, params: object = {}): unknown {
  let result: unknown;
  let failure: Error | null = null;
  session.post(method, params, (error, answer) => {
    failure = error;
    result = answer;
  });
  if (failure !== null) throw failure;
  return result;
}

const frameOf = ({ callFrame }: ProfileNode): string =>
  `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;

/**
 * V8's sampling heap profiler over the steps between `start` and `stop` (one sample per
 * `intervalBytes` on average, objects the collector freed since included), summed over every
 * such step: what runs between the steps (a workload generator) is not counted.
 */
export function allocationSampler({
  intervalBytes = 8_192,
}: { readonly intervalBytes?: number } = {}): {
  start(): void;
  stop(): void;
  result(): SampledAllocations;
} {
  const session = new Session();
  session.connect();
  post(session, 'HeapProfiler.enable');
  const bySite = new Map<string, number>();
  let bytes = 0;
  const visit = (node: ProfileNode): void => {
    bytes += node.selfSize;
    const frame = frameOf(node);
    bySite.set(frame, (bySite.get(frame) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child);
  };
  return {
    start() {
      post(session, 'HeapProfiler.startSampling', {
        samplingInterval: intervalBytes,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    stop() {
      const { profile } = post(session, 'HeapProfiler.stopSampling') as {
        readonly profile: { readonly head: ProfileNode };
      };
      visit(profile.head);
    },
    result() {
      session.disconnect();
      const top = [...bySite]
        .sort(([, a], [, b]) => b - a)
        .slice(0, 10)
        .map(([frame, siteBytes]) => ({ frame, bytes: siteBytes }));
      return { bytes, top };
    },
  };
}
