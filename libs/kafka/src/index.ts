export * from './avro-codec';
export * from './client';
export * from './dead-letter';
export * from './partition-reader';
export * from './topics';
export * from './transactional-pipeline';
