export * from './attack-stages';
export * from './score';
export * from './weights';
