import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { IngestService } from '../ingest.service';
import { decodeDatagram, SyslogFrameDecoder } from './syslog-framing';

const FLUSH_EVERY_MS = 50;
const FLUSH_AT_MESSAGES = 500;

/**
 * CEF and LEEF over syslog: TCP (newline or octet-counted framing) and UDP (one message a
 * datagram). Messages are micro-batched by wall clock, which only decides when to send, never
 * what belongs together. TCP senders are paused while a full batch is being published.
 */
export class SyslogServer {
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private pending: string[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly pausedSockets = new Set<Socket>();

  constructor(
    private readonly ingest: IngestService,
    private readonly tenantId: string,
    private readonly logger: Logger,
  ) {}

  async listen(tcpPort: number, udpPort: number): Promise<{ tcpPort: number; udpPort: number }> {
    this.tcp = createServer((socket) => this.acceptConnection(socket));
    await new Promise<void>((resolve, reject) => {
      this.tcp?.once('error', reject).listen(tcpPort, '0.0.0.0', resolve);
    });
    this.udp = createSocket('udp4');
    this.udp.on('message', (datagram) => this.enqueue(decodeDatagram(datagram), undefined));
    await new Promise<void>((resolve, reject) => {
      this.udp?.once('error', reject).bind(udpPort, '0.0.0.0', resolve);
    });
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    const tcpAddress = this.tcp.address();
    return {
      tcpPort: typeof tcpAddress === 'object' && tcpAddress ? tcpAddress.port : tcpPort,
      udpPort: this.udp.address().port,
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    await this.flush();
  }

  private acceptConnection(socket: Socket): void {
    const decoder = new SyslogFrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      const { messages, oversized } = decoder.push(chunk);
      if (oversized > 0)
        this.logger.warn(
          { remote: socket.remoteAddress, oversized },
          'dropped oversized syslog frames',
        );
      this.enqueue(messages, socket);
    });
    socket.on('end', () => this.enqueue(decoder.end(), undefined));
    socket.on('error', (err) =>
      this.logger.warn({ err, remote: socket.remoteAddress }, 'syslog connection error'),
    );
  }

  private enqueue(messages: readonly string[], socket: Socket | undefined): void {
    if (messages.length === 0) return;
    this.pending.push(...messages);
    if (this.pending.length >= FLUSH_AT_MESSAGES) {
      if (socket) {
        socket.pause();
        this.pausedSockets.add(socket);
      }
      void this.flush();
    }
  }

  /** Sends what is pending; batches go out one after another so order is kept. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.pending.length > 0) {
        const records = this.pending.splice(0, FLUSH_AT_MESSAGES);
        try {
          const { results } = await this.ingest.ingest(
            records.map((record, index) => ({ index, record })),
            { tenantId: this.tenantId, sourceSystem: 'syslog' },
          );
          for (const rejected of results.filter((r) => r.status === 'rejected')) {
            this.logger.warn({ tenantId: this.tenantId, ...rejected }, 'rejected syslog record');
          }
        } catch (err) {
          // Kafka refused the batch: keep it at the head of the queue and retry on the next tick.
          this.pending.unshift(...records);
          this.logger.error(
            { err, tenantId: this.tenantId, records: records.length },
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
}
