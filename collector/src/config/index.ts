// The collector's configuration: schema, loader and the error a bad file raises.
export * from './config-error.js';
export * from './config-schema.js';
export * from './interpolate.js';
export * from './load-config.js';
