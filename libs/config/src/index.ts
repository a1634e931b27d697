export * from './env-reader';
export * from './infra-config';
export * from './identity-steps';
