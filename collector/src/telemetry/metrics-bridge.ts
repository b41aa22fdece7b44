// The collector's own Prometheus counters and gauges (the app's /metrics registry), also sent
// through the OpenTelemetry SDK as observable instruments, read at each OTLP collection. Histograms
// are left out (OTel has no observable histogram): HTTP durations come from the http
// instrumentation's own http.server.request.duration. A no-op until the SDK runs.
import {
  metrics,
  type Attributes,
  type BatchObservableCallback,
  type Observable,
} from '@opentelemetry/api';
import { Counter, Gauge, type Registry } from 'prom-client';
import { VERSION } from '../version.js';

/** prom-client's default process metrics: the OTel SDK has its own host and runtime metrics. */
const DEFAULT_METRICS = /^painchain_(process|nodejs)_/;

interface Bridged {
  source: Counter | Gauge;
  instrument: Observable;
}

/** Bridges every painchain_* counter and gauge of `registry`; returns the function that stops it. */
export function bridgeMetrics(registry: Registry): () => void {
  const meter = metrics.getMeter('painchain-collector', VERSION);
  const bridged: Bridged[] = registry.getMetricsAsArray().flatMap((metric): Bridged[] => {
    const { name, help } = metric as unknown as { name: string; help: string };
    if (!name.startsWith('painchain_') || DEFAULT_METRICS.test(name)) return [];
    // OTel names carry no `_total`; a Prometheus exporter adds it back.
    const otelName = name.replace(/_total$/, '');
    if (metric instanceof Counter)
      return [
        {
          source: metric,
          instrument: meter.createObservableCounter(otelName, { description: help }),
        },
      ];
    if (metric instanceof Gauge)
      return [
        {
          source: metric,
          instrument: meter.createObservableGauge(otelName, { description: help }),
        },
      ];
    return [];
  });
  const callback: BatchObservableCallback = async (result) => {
    for (const { source, instrument } of bridged) {
      const { values } = await source.get();
      for (const { value, labels } of values)
        result.observe(instrument, value, labels as Attributes);
    }
  };
  const instruments = bridged.map((b) => b.instrument);
  meter.addBatchObservableCallback(callback, instruments);
  return () => meter.removeBatchObservableCallback(callback, instruments);
}
