import { ConfigError } from './env-reader';
import { identityStepsEnabled } from './identity-steps';

describe('identityStepsEnabled', () => {
  it('is off unless the variable says true', () => {
    expect(identityStepsEnabled({})).toBe(false);
    expect(identityStepsEnabled({ SOC_BENCH_IDENTITY_STEPS: 'false' })).toBe(false);
    expect(identityStepsEnabled({ SOC_BENCH_IDENTITY_STEPS: ' true ' })).toBe(true);
  });

  it('refuses any other value, naming the variable', () => {
    expect(() => identityStepsEnabled({ SOC_BENCH_IDENTITY_STEPS: '1' })).toThrow(ConfigError);
    expect(() => identityStepsEnabled({ SOC_BENCH_IDENTITY_STEPS: 'yes' })).toThrow(
      "SOC_BENCH_IDENTITY_STEPS: expected true or false, got 'yes'",
    );
  });
});
