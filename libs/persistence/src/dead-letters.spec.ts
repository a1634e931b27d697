import { isPoisonWriteError } from './dead-letters';
import { CopyTextWriter } from './read-model/copy-text';

describe('isPoisonWriteError', () => {
  it('dead-letters data, constraint and size errors, on the error or its driver error', () => {
    expect(isPoisonWriteError({ code: '22P05' })).toBe(true);
    expect(isPoisonWriteError({ code: '23505' })).toBe(true);
    expect(isPoisonWriteError({ driverError: { code: '54000' } })).toBe(true);
  });

  it('dead-letters a value no statement or COPY can carry, refused before it is sent', () => {
    const refusal = (): unknown => {
      try {
        return new CopyTextWriter([{ column: 'title', pg: 'text' }]).text([
          { title: 'nul \u0000' },
        ]);
      } catch (error) {
        return error;
      }
    };
    expect(isPoisonWriteError(refusal())).toBe(true);
  });

  it('retries connection, timeout, lock and unknown failures, and bugs', () => {
    expect(isPoisonWriteError({ code: '08006' })).toBe(false);
    expect(isPoisonWriteError({ code: '57014' })).toBe(false);
    expect(isPoisonWriteError({ code: '40P01' })).toBe(false);
    expect(isPoisonWriteError({ code: '42P01' })).toBe(false);
    expect(isPoisonWriteError({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isPoisonWriteError(new Error('timeout'))).toBe(false);
  });
});
