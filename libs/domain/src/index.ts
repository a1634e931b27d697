export * from './normalization';
export * from './correlation';
export * from './evaluation';
export * from './scoring';
export * from './simulation';
export * from './ingestion';
export * from './read-model';
export * from './intel';
