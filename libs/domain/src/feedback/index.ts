export * from './assess';
export * from './model';
