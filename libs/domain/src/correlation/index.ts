export * from './config';
export * from './decide';
export * from './entity-keys';
export * from './evolve';
export * from './ids';
export * from './runner';
export * from './state';
