export * from './attack-stages';
export * from './evidence';
export * from './score';
export * from './threat-intel-factor';
export * from './weights';
export * from './feedback-factor';
