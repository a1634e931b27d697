export * from './catalog';
export * from './generator';
export * from './prng';
