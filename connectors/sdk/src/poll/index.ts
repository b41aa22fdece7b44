export * from './poll-scheduler.js';
export * from './source-errors.js';
