// When change events go out without an `exporters:` entry: as soon as the standard OTEL_*
// variables name a logs endpoint (default off), unless `opentelemetry.changeEvents: false` says
// no; `changeEvents: true` turns them on without any variable (OTLP to localhost:4318).
import type { ExporterInstanceConfig } from '../../config/config-schema.js';
import { readOtelSettings, type Env } from '../../telemetry/otel-settings.js';
import {
  DEFAULT_REMEMBERED_CHANGES,
  OPENTELEMETRY_EXPORTER_TYPE,
} from './opentelemetry-exporter.js';

/** The name of the instance the collector adds by itself (its label on /metrics). */
export const IMPLICIT_EXPORTER_NAME = 'opentelemetry';

/**
 * The exporter instance to add for `opentelemetry.changeEvents` (true, false or unset) and the
 * environment, or undefined. An `exporters:` entry of type `opentelemetry` (or named like ours)
 * means the file manages change events itself: nothing is added.
 */
export function implicitChangeEventExporter(
  changeEvents: boolean | undefined,
  declared: readonly { name?: unknown; type?: unknown }[],
  env: Env,
): ExporterInstanceConfig | undefined {
  if (changeEvents === false) return undefined;
  if (
    declared.some(
      (e) => e.type === OPENTELEMETRY_EXPORTER_TYPE || e.name === IMPLICIT_EXPORTER_NAME,
    )
  )
    return undefined;
  const settings = readOtelSettings(env);
  if (settings.disabled) return undefined;
  const { logs } = settings;
  if (!logs.enabled && changeEvents !== true) return undefined;
  // Endpoint and protocol as the environment said when the config was read.
  return {
    name: IMPLICIT_EXPORTER_NAME,
    type: OPENTELEMETRY_EXPORTER_TYPE,
    options: {
      ...(logs.exporter === 'otlp' ? { endpoint: logs.url, protocol: logs.protocol } : {}),
      rememberChanges: DEFAULT_REMEMBERED_CHANGES,
    },
  };
}
