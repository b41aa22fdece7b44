// How many OTLP exports failed since the process started, by signal. The SDK's exporters live
// for the whole process (they start before the app), so the tally is process-wide; each app's
// /metrics reads it (painchain_otel_export_failures_total).
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Signal } from './otel-settings.js';

const failures: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };

/** Failed OTLP exports of each signal so far. */
export function otelExportFailures(): Readonly<Record<Signal, number>> {
  return { ...failures };
}

/** Counts one failed export of `signal`. */
export function countOtelExportFailure(signal: Signal): void {
  failures[signal] += 1;
}

interface ResultExporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
}

/**
 * The same exporter, counting every export whose result is not SUCCESS (and telling `onFailure`,
 * when given). Wrapping the one method keeps whatever else the exporter is (the temporality
 * selector of a metric exporter, forceFlush).
 */
export function countingFailures<T, E extends ResultExporter<T>>(
  signal: Signal,
  exporter: E,
  onFailure?: (result: ExportResult) => void,
): E {
  const send = exporter.export.bind(exporter);
  exporter.export = (items: T, resultCallback: (result: ExportResult) => void) =>
    send(items, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        countOtelExportFailure(signal);
        onFailure?.(result);
      }
      resultCallback(result);
    });
  return exporter;
}
