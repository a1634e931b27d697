export * from './metrics';
export * from './delay';
