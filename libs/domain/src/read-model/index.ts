export * from './evolve-incident-view';
export * from './incident-view';
export * from './indicator-verdicts';
export * from './story-view';
export * from './tenant-config-history';
