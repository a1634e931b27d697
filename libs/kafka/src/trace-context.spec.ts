import { nextTraceparent } from './trace-context';

describe('nextTraceparent', () => {
  it('continues the incoming trace with a new span', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const next = nextTraceparent(incoming);
    expect(next).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(next).not.toBe(incoming);
  });

  it('starts a new trace when the incoming header is absent or malformed', () => {
    expect(nextTraceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(nextTraceparent('garbage')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
