import { scramSha256Verifier, serviceLoginProblem } from './service-logins';

const request = {
  service: 'projector',
  user: 'projector_1',
  password: 'a-long-enough-password',
} as const;

describe('serviceLoginProblem', () => {
  it('accepts a login name and a printable password of 16 characters or more', () => {
    expect(serviceLoginProblem(request)).toBeUndefined();
  });

  it.each([
    [{ user: 'Projector' }, /^user:/],
    [{ user: 'x; DROP ROLE postgres' }, /^user:/],
    [{ user: 'soc_projector' }, /^user: soc_projector is a group role/],
    [{ password: 'fifteen-chars!!' }, /^password:/],
    [{ password: 'with a space in the middle' }, /^password:/],
    [{ password: 'non-ascii-pässword-here' }, /^password:/],
  ])('refuses %o', (change, problem) => {
    expect(serviceLoginProblem({ ...request, ...change })).toMatch(problem);
  });
});

describe('scramSha256Verifier', () => {
  it('is PostgreSQL’s stored form, salted anew each time', () => {
    const verifier = scramSha256Verifier(request.password);
    expect(verifier).toMatch(
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/,
    );
    expect(scramSha256Verifier(request.password)).not.toBe(verifier);
    expect(verifier).not.toContain(request.password);
  });
});
