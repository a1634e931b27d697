/**
 * A small seeded pseudo-random generator (mulberry32): the simulation's only source of
 * randomness, so the same seed gives the same traffic on every machine. Not for security.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [low, high], both included. */
  int(low: number, high: number): number;
  /** Uniform in [low, high). */
  between(low: number, high: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Skewed towards the first items: a few hosts are much noisier than the rest. */
  pickSkewed<T>(items: readonly T[], skew?: number): T;
  /** Exponentially distributed with the given mean (Poisson process gaps). */
  exponential(mean: number): number;
}

/** A 32-bit seed from a number or a string (FNV-1a). */
export function seedOf(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i += 1) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export function mulberry32(seed: number | string): Prng {
  let state = seedOf(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const prng: Prng = {
    next,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    between: (low, high) => low + next() * (high - low),
    chance: (probability) => next() < probability,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    pickSkewed: <T>(items: readonly T[], skew = 2): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(Math.pow(next(), skew) * items.length)] as T;
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
  };
  return prng;
}
