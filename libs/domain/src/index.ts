export * from './normalization';
