export * from './evolve-incident-view';
export * from './incident-view';
