import { formatStatus, parseCommand } from './cli';

describe('stack command arguments', () => {
  it('parses each command with its flags', () => {
    expect(parseCommand(['up'])).toEqual({ kind: 'up', json: false });
    expect(parseCommand(['up', '--json'])).toEqual({ kind: 'up', json: true });
    expect(parseCommand(['down'])).toEqual({ kind: 'down' });
    expect(parseCommand(['status', '--json'])).toEqual({ kind: 'status', json: true });
    expect(parseCommand(['reset', '--all'])).toEqual({ kind: 'reset', artifacts: true });
    expect(parseCommand(['env'])).toEqual({ kind: 'env', json: false });
    expect(parseCommand([])).toEqual({ kind: 'help' });
  });

  it('takes an optional service and line count for logs', () => {
    expect(parseCommand(['logs'])).toEqual({ kind: 'logs', lines: 100 });
    expect(parseCommand(['logs', 'kafka', '-n', '20'])).toEqual({
      kind: 'logs',
      service: 'kafka',
      lines: 20,
    });
    expect(parseCommand(['logs', '--lines', '5', 'registry'])).toEqual({
      kind: 'logs',
      service: 'registry',
      lines: 5,
    });
  });

  it('rejects unknown commands, services and flags with a message', () => {
    expect(parseCommand(['start'])).toEqual({ kind: 'error', message: 'unknown command start' });
    expect(parseCommand(['logs', 'zookeeper'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('unknown service'),
    });
    expect(parseCommand(['down', '--force'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--force'),
    });
    expect(parseCommand(['logs', '-n', 'x'])).toMatchObject({ kind: 'error' });
  });
});

describe('status table', () => {
  it('shows one aligned line per service', () => {
    expect(
      formatStatus([
        { service: 'kafka', health: 'healthy', pid: 12, endpoint: '127.0.0.1:9092' },
        { service: 'registry', health: 'stopped' },
      ]),
    ).toBe('kafka     healthy    pid 12      127.0.0.1:9092\nregistry  stopped    -\n');
  });
});
