import { fakeIo } from '../../test/fake-io';
import { createProjectorVerb, type ProjectorRunner } from './projector';

describe('projector verb', () => {
  it('runs the projector rebuild with the flags given and relays its report as output', async () => {
    const calls: (readonly string[])[] = [];
    const run: ProjectorRunner = async (args, onLine) => {
      calls.push(args);
      onLine('{"level":30,"msg":"rebuild: replaying from offset 0"}');
      onLine('{"shadowSchema":"read_model_rebuild","events":12,"swapped":false}');
      return 0;
    };
    const io = fakeIo();
    const code = await createProjectorVerb(run)(['rebuild', '--no-swap', '--timeout', '90s'], io);
    expect(code).toBe(0);
    expect(calls).toEqual([['rebuild', '--no-swap', '--timeout', '90s']]);
    expect(io.outs).toEqual([{ shadowSchema: 'read_model_rebuild', events: 12, swapped: false }]);
    expect(io.errs).toEqual([{ level: 30, msg: 'rebuild: replaying from offset 0' }]);
  });

  it('answers 2 with the usage for an unknown subcommand or flag', async () => {
    const run: ProjectorRunner = async () => 0;
    const io = fakeIo();
    expect(await createProjectorVerb(run)(['replay'], io)).toBe(2);
    expect(await createProjectorVerb(run)(['rebuild', '--force'], io)).toBe(2);
    expect(io.errs).toEqual([
      expect.objectContaining({ error: "unknown subcommand 'replay'" }),
      expect.objectContaining({
        error: 'unknown flag --force (known: --no-swap, --compare, --timeout)',
      }),
    ]);
  });
});
