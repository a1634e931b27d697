export * from './alert';
export * from './envelope';
export * from './feedback-events';
export * from './incident-events';
export * from './intel-events';
export * from './topics';
