export * from './leased-sources.js';
export * from './source-leases.js';
