export * from './progress';
export * from './format';
