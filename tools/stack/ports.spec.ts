import { candidatePorts, choosePorts, PortProbes } from './ports';

const probes = (
  taken: readonly number[],
  ephemeral: readonly number[] = [40_001, 40_002],
): PortProbes => {
  const next = [...ephemeral];
  return {
    isFree: async (port) => !taken.includes(port),
    ephemeral: async () => {
      const port = next.shift();
      if (port === undefined) throw new Error('no more ephemeral ports');
      return port;
    },
  };
};

describe('port candidates', () => {
  it('tries the preferred ports in order, then scans above the last one', () => {
    expect(candidatePorts([19092, 9092], 3)).toEqual([19092, 9092, 9093, 9094, 9095]);
  });

  it('drops duplicates and impossible ports', () => {
    expect(candidatePorts([9092, 9092, 0, 70_000], 1)).toEqual([9092, 9093]);
    expect(candidatePorts([65_535], 3)).toEqual([65_535]);
  });
});

describe('choosePorts', () => {
  it('takes the defaults when they are free', async () => {
    const ports = await choosePorts(
      [
        { name: 'kafka', preferred: [9092] },
        { name: 'kafkaController', preferred: [9093] },
      ],
      probes([]),
    );
    expect(ports).toEqual({ kafka: 9092, kafkaController: 9093 });
  });

  it('moves past taken defaults without handing one port out twice', async () => {
    const ports = await choosePorts(
      [
        { name: 'kafka', preferred: [9092] },
        { name: 'kafkaController', preferred: [9093] },
      ],
      probes([9092]),
    );
    expect(ports).toEqual({ kafka: 9093, kafkaController: 9094 });
  });

  it("prefers the last run's port so a restarted stack keeps its environment", async () => {
    expect(
      await choosePorts([{ name: 'registry', preferred: [18_181, 8081] }], probes([])),
    ).toEqual({ registry: 18_181 });
  });

  it('never picks a port reserved by a running service', async () => {
    expect(
      await choosePorts([{ name: 'postgres', preferred: [5432] }], probes([]), [5432]),
    ).toEqual({ postgres: 5433 });
  });

  it('falls back to a port the operating system picks when the whole scan is taken', async () => {
    const taken = Array.from({ length: 30 }, (_, i) => 8081 + i);
    expect(await choosePorts([{ name: 'registry', preferred: [8081] }], probes(taken))).toEqual({
      registry: 40_001,
    });
  });
});
