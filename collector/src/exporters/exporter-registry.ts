// The one list of exporter types the collector can run. Adding an exporter means adding its
// definition here and nothing else outside its own folder.
import type { ExporterDefinition } from './exporter-definition.js';
import { OPENTELEMETRY_EXPORTER } from './opentelemetry/opentelemetry-exporter.js';

export const EXPORTER_TYPES: readonly ExporterDefinition[] = [OPENTELEMETRY_EXPORTER];
