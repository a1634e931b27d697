import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { AppMetrics } from '@soc/observability';
import type { IngestService } from '../ingest.service';
import { syslogDeadLetter, type SyslogOrigin } from './syslog-dead-letter';
import { decodeDatagram, SyslogFrameDecoder, type DecodedFrames } from './syslog-framing';
import { SyslogQueue, type QueuedMessage } from './syslog-queue';
import type { SenderTenants } from './syslog-tenants';

const FLUSH_EVERY_MS = 50;
const FLUSH_AT_MESSAGES = 500;

export interface SyslogOptions {
  readonly tcpPort: number;
  readonly udpPort: number;
  /** RFC 5425 syslog over TLS; null leaves it off. */
  readonly tls: {
    readonly port: number;
    readonly certFile: string;
    readonly keyFile: string;
  } | null;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  readonly maxQueueBytes: number;
  readonly maxFrameBytes: number;
}

export interface SyslogPorts {
  readonly tcpPort: number;
  readonly udpPort: number;
  readonly tlsPort: number | null;
}

/**
 * CEF and LEEF over syslog: plain TCP (newline or octet-counted framing), TLS (RFC 5425, same
 * framing) and UDP (one message a datagram). Messages are micro-batched by wall clock, which
 * only decides when to send, never what belongs together.
 *
 * Bounds: the queue of received messages is bounded in bytes; TCP and TLS senders are paused
 * while it is half full, UDP datagrams that do not fit are dropped and counted (UDP has no
 * way to push back). Connections past `maxConnections` are closed at once and counted; a
 * connection silent for `idleTimeoutMs` is closed. Lines that do not become alerts (rejected
 * by the normalizer, oversized, or from a sender with no tenant) go to the dead-letter topic
 * with their reason, like every other source's.
 */
export class SyslogServer {
  private readonly servers: Server[] = [];
  private udp: UdpSocket | undefined;
  private readonly queue: SyslogQueue;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly pausedSockets = new Set<Socket>();
  private readonly sockets = new Set<Socket>();
  private readonly dropped: Counter<'transport' | 'reason'>;
  private readonly connections: Gauge<'transport'>;

  constructor(
    private readonly ingest: IngestService,
    private readonly tenants: SenderTenants,
    private readonly options: SyslogOptions,
    metrics: AppMetrics,
    private readonly logger: Logger,
  ) {
    this.queue = new SyslogQueue(options.maxQueueBytes);
    this.dropped = new Counter({
      name: 'soc_syslog_dropped_total',
      help: 'Syslog messages or connections dropped before normalization, by transport and reason',
      labelNames: ['transport', 'reason'],
      registers: [metrics.registry],
    });
    this.connections = new Gauge({
      name: 'soc_syslog_connections',
      help: 'Open syslog TCP and TLS connections',
      labelNames: ['transport'],
      registers: [metrics.registry],
    });
  }

  async listen(): Promise<SyslogPorts> {
    const tcp = createServer((socket) => this.accept(socket, 'tcp'));
    this.servers.push(tcp);
    const tcpPort = await listenOn(tcp, this.options.tcpPort);
    let tlsPort: number | null = null;
    if (this.options.tls) {
      const tls = createTlsServer(
        {
          cert: readFileSync(this.options.tls.certFile),
          key: readFileSync(this.options.tls.keyFile),
          handshakeTimeout: Math.min(this.options.idleTimeoutMs, 10_000),
        },
        (socket) => this.accept(socket, 'tls'),
      );
      this.servers.push(tls);
      tls.on('tlsClientError', (err) => this.logger.warn({ err }, 'syslog TLS handshake failed'));
      tlsPort = await listenOn(tls, this.options.tls.port);
    }
    this.udp = createSocket('udp4');
    this.udp.on('message', (datagram, remote) => this.receiveDatagram(datagram, remote));
    await new Promise<void>((resolve, reject) => {
      this.udp?.once('error', reject).bind(this.options.udpPort, '0.0.0.0', resolve);
    });
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    return { tcpPort, udpPort: this.udp.address().port, tlsPort };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    await this.flush();
  }

  private accept(socket: Socket, transport: 'tcp' | 'tls'): void {
    if (this.sockets.size >= this.options.maxConnections) {
      this.dropped.inc({ transport, reason: 'connection_limit' });
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.connections.inc({ transport });
    const origin = (tenantId: string | null): SyslogOrigin => ({
      transport,
      remote: socket.remoteAddress ?? 'unknown',
      tenantId,
    });
    const tenantId = this.tenants.tenantOf(socket.remoteAddress);
    const decoder = new SyslogFrameDecoder(this.options.maxFrameBytes);
    socket.setTimeout(this.options.idleTimeoutMs, () => {
      this.dropped.inc({ transport, reason: 'idle_timeout' });
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      this.receive(decoder.push(chunk), origin(tenantId));
      if (this.queue.pressing) {
        socket.pause();
        this.pausedSockets.add(socket);
      }
    });
    socket.on('end', () =>
      this.receive({ messages: decoder.end(), oversized: [] }, origin(tenantId)),
    );
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.pausedSockets.delete(socket);
      this.connections.dec({ transport });
    });
    socket.on('error', (err) =>
      this.logger.warn({ err, remote: socket.remoteAddress }, 'syslog connection error'),
    );
  }

  private receiveDatagram(datagram: Buffer, remote: RemoteInfo): void {
    const decoded = decodeDatagram(datagram, this.options.maxFrameBytes);
    const tenantId = this.tenants.tenantOf(remote.address);
    this.receive(decoded, { transport: 'udp', remote: remote.address, tenantId });
  }

  /** Queues what a sender delivered; what cannot be an alert goes to the dead-letter topic. */
  private receive(decoded: DecodedFrames, origin: SyslogOrigin): void {
    const now = Date.now();
    const refused = decoded.oversized.map((head) =>
      syslogDeadLetter(
        head,
        origin,
        { field: '(frame)', reason: `frame over the limit of ${this.options.maxFrameBytes} bytes` },
        now,
      ),
    );
    for (const record of decoded.messages) {
      if (origin.tenantId === null) {
        const reason = `no tenant for sender ${origin.remote}: set SYSLOG_TENANT_BY_SENDER or SYSLOG_TENANT_ID`;
        refused.push(syslogDeadLetter(record, origin, { field: 'tenant', reason }, now));
      } else if (!this.queue.offer({ record, ...origin, tenantId: origin.tenantId })) {
        this.dropped.inc({ transport: origin.transport, reason: 'queue_full' });
      }
    }
    this.deadLetter(refused);
    if (this.queue.length >= FLUSH_AT_MESSAGES) void this.flush();
  }

  private deadLetter(messages: Parameters<IngestService['deadLetter']>[0]): void {
    if (messages.length === 0) return;
    this.ingest.deadLetter(messages).catch((err: unknown) => {
      this.dropped.inc({ transport: 'any', reason: 'dead_letter_failed' }, messages.length);
      this.logger.error({ err, records: messages.length }, 'syslog dead letters not written');
    });
  }

  /** Sends what is queued; batches go out one after another so order is kept. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.queue.length > 0) {
        const taken = this.queue.take(FLUSH_AT_MESSAGES);
        try {
          await this.publish(taken);
        } catch (err) {
          // Kafka did not take the batch: keep it at the head of the queue, retry on the next tick.
          this.queue.putBack(taken);
          this.logger.error(
            { err, records: taken.length },
            'syslog batch not published; will retry',
          );
          return;
        }
      }
      for (const socket of this.pausedSockets) socket.resume();
      this.pausedSockets.clear();
    });
    return this.flushing;
  }

  /** One ingest call per tenant; the rejected lines of each go to the dead-letter topic. */
  private async publish(messages: readonly QueuedMessage[]): Promise<void> {
    const byTenant = new Map<string, QueuedMessage[]>();
    for (const message of messages) {
      const tenantId = message.tenantId as string;
      const group = byTenant.get(tenantId);
      if (group) group.push(message);
      else byTenant.set(tenantId, [message]);
    }
    for (const [tenantId, group] of byTenant) {
      const { results } = await this.ingest.ingest(
        group.map((message, index) => ({ index, record: message.record })),
        { tenantId, sourceSystem: 'syslog' },
      );
      const now = Date.now();
      this.deadLetter(
        results.flatMap((result) => {
          const message = group[result.index];
          if (result.status !== 'rejected' || message === undefined) return [];
          return [syslogDeadLetter(message.record, message, result, now)];
        }),
      );
    }
  }
}

async function listenOn(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, '0.0.0.0', resolve);
  });
  return (server.address() as AddressInfo).port;
}
