// The `opentelemetry` exporter: change events as OpenTelemetry log records over OTLP.
export * from './change-attributes.js';
export * from './emitted-changes.js';
export * from './implicit-change-events.js';
export * from './opentelemetry-exporter.js';
