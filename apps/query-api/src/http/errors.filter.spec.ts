import type { ArgumentsHost } from '@nestjs/common';
import { KafkaJSConnectionError } from 'kafkajs';
import pino from 'pino';
import { ErrorsFilter } from './errors.filter';

const answer = (error: unknown) => {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = {
    headers: {},
  };
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    switchToHttp: () => ({
      getResponse: () => res,
      getRequest: () => ({ method: 'POST', path: '/api/v1/feedback' }),
    }),
  } as unknown as ArgumentsHost;
  new ErrorsFilter(pino({ level: 'silent' })).catch(error, host);
  return sent;
};

describe('ErrorsFilter', () => {
  it('answers a broker outage 503 with Retry-After, not 500', () => {
    const sent = answer(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'));
    expect([sent.status, sent.headers['Retry-After']]).toEqual([503, '5']);
  });

  it('answers a pool acquire timeout and a statement timeout 503', () => {
    expect(answer(new Error('timeout exceeded when trying to connect')).status).toBe(503);
    expect(answer(Object.assign(new Error('canceling statement'), { code: '57014' })).status).toBe(
      503,
    );
  });

  it('still answers a bug 500', () => {
    expect(answer(new TypeError('undefined is not a function')).status).toBe(500);
  });
});
