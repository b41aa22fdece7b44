export * from './change-event.js';
export * from './connector.js';
export * from './webhook.js';
export * from './abortable-sleep.js';
