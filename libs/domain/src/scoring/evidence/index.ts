export * from './decayed-count';
export * from './detectors';
export * from './evidence-score';
export * from './incident-evidence';
export * from './rarity';
export * from './rhythm';
export * from './severity-range';
export * from './tenant-baseline';
