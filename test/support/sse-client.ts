// Test support: reads a text/event-stream response the way a browser's stream reader does.
import { get as httpGet, type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

export interface OpenStream {
  readonly events: SseEvent[];
  readonly close: () => void;
  readonly status: number;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
}

/** Opens an EventSource-like stream and collects its events. */
export function openStream(url: string, apiKey: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = httpGet(
      url,
      { headers: { accept: 'text/event-stream', 'x-api-key': apiKey } },
      (res: IncomingMessage) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) as unknown });
          }
        });
        const ended = new Promise<void>((done) => res.on('close', () => done()));
        resolve({ events, close: () => req.destroy(), status: res.statusCode ?? 0, ended });
      },
    );
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
  });
}
