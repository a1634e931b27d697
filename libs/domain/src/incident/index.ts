export * from './avro-mapping';
