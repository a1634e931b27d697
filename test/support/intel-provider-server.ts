// A local HTTP server on 127.0.0.1 that answers like VirusTotal and AbuseIPDB, from the
// documented bodies in test/fixtures/intel. Each test scripts the answers per path prefix;
// the server records every request so a test can check what the client sent.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer only after this long: a timeout test sets it beyond the client's deadline. */
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export const providerFixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'intel', name), 'utf8')) as unknown;

export interface ProviderServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Answers for paths starting with `prefix`, in order; the last one repeats. */
  readonly script: (prefix: string, answers: readonly ScriptedAnswer[]) => void;
  readonly close: () => Promise<void>;
}

export async function startProviderServer(): Promise<ProviderServer> {
  const scripts = new Map<string, ScriptedAnswer[]>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const prefix = [...scripts.keys()]
      .filter((p) => path.startsWith(p))
      .sort((a, b) => b.length - a.length)[0];
    const queue = prefix === undefined ? undefined : scripts.get(prefix);
    const answer =
      queue === undefined
        ? { status: 404, body: { error: { code: 'NotFoundError', message: `unscripted ${path}` } } }
        : queue.length > 1
          ? (queue.shift() as ScriptedAnswer)
          : (queue[0] as ScriptedAnswer);
    const send = () => {
      timers.delete(timer);
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    };
    const timer = setTimeout(send, answer.delayMs ?? 0);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (prefix, answers) => scripts.set(prefix, [...answers]),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
