export * from './alert';
export * from './envelope';
export * from './feedback-events';
export * from './incident-events';
export * from './lists';
export * from './reader';
export * from './roles';
export * from './topics';
