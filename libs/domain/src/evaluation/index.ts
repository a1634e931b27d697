export * from './analyst-view';
export * from './assignment';
export * from './metrics';
export * from './rarity-reference';
export * from './report';
export * from './triage-table';
