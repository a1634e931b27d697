export * from './wait-for';
export * from './infra';
export * from './unique-name';
export * from './kafka';
export * from './spec-database';
export * from './tcp-proxy';
