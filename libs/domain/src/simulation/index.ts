export * from './attack-script';
export * from './catalog';
export * from './generator';
export * from './prng';
