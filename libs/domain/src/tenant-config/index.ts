export * from './parse-tenant-config';
export * from './resolve-tenant-policy';
export * from './suppression-proposals';
