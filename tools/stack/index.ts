// Programmatic API of the local stack, for jest's global setup and scripts.
export {
  acquireStack,
  resetStack,
  stackEnvironment,
  stackLogs,
  stackStatus,
  startStack,
  stopStack,
} from './stack';
export type {
  Health,
  Reporter,
  ServiceLog,
  ServiceStatus,
  StackLease,
  StackOptions,
  StartResult,
} from './stack';
export {
  SERVICES,
  STACK_ENV_KEYS,
  KAFKA_SHARED_SETTINGS,
  REGISTRY_CCOMPAT_PATH,
  REGISTRY_VERSION,
  PG_USER,
  PG_PASSWORD,
  REGISTRY_DATABASE,
  kafkaImageEnv,
} from './config';
export type { ServiceName, StackEnv } from './config';
export { kafkaProbe, postgresProbe, registryProbe, waitHealthy } from './health';
export { MissingToolError } from './toolchain';
