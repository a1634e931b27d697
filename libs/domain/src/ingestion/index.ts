export * from './redelivery-filter';
