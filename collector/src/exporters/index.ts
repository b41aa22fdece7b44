// Exporters: what sends committed changes out of the collector.
export * from './exporter-definition.js';
export * from './exporter-hub.js';
export * from './exporter-queue.js';
export * from './exporter-registry.js';
