export * from './connector-status.js';
export * from './connector-supervisor.js';
export * from './heartbeat.js';
