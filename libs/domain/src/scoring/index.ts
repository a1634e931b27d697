export * from './attack-stages';
export * from './score';
export * from './weights';
export * from './evidence';
