import { fakeIo } from '../../test/fake-io';
import { databaseVerb } from './database';

describe('db create-login', () => {
  const previous = process.env['SOC_DB_LOGIN_PASSWORD'];
  afterEach(() => {
    if (previous === undefined) delete process.env['SOC_DB_LOGIN_PASSWORD'];
    else process.env['SOC_DB_LOGIN_PASSWORD'] = previous;
  });

  it('refuses an unknown role, a bad user name and a short password before connecting', async () => {
    delete process.env['SOC_DB_LOGIN_PASSWORD'];
    const io = fakeIo(['short']);
    expect(await databaseVerb(['create-login', '--role', 'postgres', '--user', 'p1'], io)).toBe(2);
    expect(
      await databaseVerb(['create-login', '--role', 'soc_projector', '--user', 'P-1'], io),
    ).toBe(2);
    expect(
      await databaseVerb(['create-login', '--role', 'soc_projector', '--user', 'p1'], io),
    ).toBe(2);
    expect(io.errs).toEqual([
      expect.objectContaining({
        error: expect.stringMatching(/^--role: expected one of soc_ingest/),
      }),
      expect.objectContaining({ error: expect.stringMatching(/^user: lower-case letters/) }),
      expect.objectContaining({ error: expect.stringMatching(/^password: 16 to 128/) }),
    ]);
  });

  it('takes no password flag: an undeclared flag is a usage error', async () => {
    const io = fakeIo();
    const args = ['create-login', '--role', 'soc_ingest', '--user', 'i1', '--password', 'x'];
    expect(await databaseVerb(args, io)).toBe(2);
    expect(io.errs).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/unknown flag --password/) }),
    ]);
  });
});
