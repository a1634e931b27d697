export * from './analyst-view';
export * from './assignment';
export * from './metrics';
export * from './delay';
export * from './rarity-reference';
export * from './report';
export * from './triage-table';
export * from './feedback-replay';
