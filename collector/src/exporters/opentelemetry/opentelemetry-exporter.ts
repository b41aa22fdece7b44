// The `opentelemetry` exporter: every committed change that is new or whose status moved, as one
// OpenTelemetry log record (event name `painchain.change`) sent over OTLP. It runs behind the
// exporter hub's bounded queue, so a down endpoint costs queue memory and counters, not ingest.
import { SeverityNumber, type Logger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { ChangeEvent } from '@painchain/sdk';
import { Type, type Static } from 'typebox';
import { otel } from '../../telemetry/otel-sdk.js';
import { logRecordExporter } from '../../telemetry/otlp-exporters.js';
import { OTLP_PROTOCOLS, readOtelSettings } from '../../telemetry/otel-settings.js';
import { telemetryResource } from '../../telemetry/telemetry-resource.js';
import { VERSION } from '../../version.js';
import type { Exporter, ExporterDefinition } from '../exporter-definition.js';
import { CHANGE_EVENT_NAME, changeAttributes } from './change-attributes.js';
import { EmittedChanges, emittedState } from './emitted-changes.js';

export const OPENTELEMETRY_EXPORTER_TYPE = 'opentelemetry';
/** Changes whose last emitted state is remembered (about 100 bytes each). */
export const DEFAULT_REMEMBERED_CHANGES = 100_000;
/** The instrumentation scope of the records: what `otel.scope.name` says in Loki. */
export const CHANGE_EVENTS_SCOPE = 'painchain-collector';

export const OpenTelemetryExporterOptions = Type.Object(
  {
    endpoint: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'Full URL of the OTLP/HTTP logs endpoint (http://otel-collector:4318/v1/logs). Default: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/logs, else http://localhost:4318/v1/logs',
      }),
    ),
    protocol: Type.Optional(
      Type.Enum(OTLP_PROTOCOLS, {
        description:
          'Default: OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf',
      }),
    ),
    rememberChanges: Type.Integer({
      minimum: 0,
      maximum: 10_000_000,
      default: DEFAULT_REMEMBERED_CHANGES,
      description:
        'How many changes the duplicate filter remembers: an identical repeat of one of them is not emitted again',
    }),
  },
  { additionalProperties: false },
);
export type OpenTelemetryExporterOptions = Static<typeof OpenTelemetryExporterOptions>;

/** Where the records go: an SDK LoggerProvider, and whether an export failed since a mark. */
export interface ChangeEventPipeline {
  readonly provider: LoggerProvider;
  /** Failed exports so far (the hub fails the batch when this grew during its call). */
  failures(): number;
}

export interface OpenTelemetryExporterDeps {
  /**
   * Builds the pipeline of one instance. Default: a BatchLogRecordProcessor in front of the OTLP
   * log exporter the options and OTEL_* variables describe. Tests give the SDK's in-memory one.
   */
  createPipeline?(options: OpenTelemetryExporterOptions): ChangeEventPipeline;
}

function otlpPipeline(options: OpenTelemetryExporterOptions): ChangeEventPipeline {
  const fromEnv = readOtelSettings(process.env).logs;
  let failures = 0;
  const settings = {
    ...fromEnv,
    // An endpoint in the options means OTLP, whatever OTEL_LOGS_EXPORTER says (console, say).
    exporter: options.endpoint ? ('otlp' as const) : fromEnv.exporter,
    url: options.endpoint ?? fromEnv.url,
    protocol: options.protocol ?? fromEnv.protocol,
  };
  const exporter = logRecordExporter(settings, (_result: ExportResult) => {
    failures += 1;
  });
  const { BatchLogRecordProcessor, LoggerProvider } = otel.sdkLogs();
  const provider = new LoggerProvider({
    resource: telemetryResource(),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  return { provider, failures: () => failures };
}

/** One change as the log record the issue and docs/opentelemetry.md describe. */
function emit(logger: Logger, tenant: string, event: ChangeEvent): void {
  logger.emit({
    eventName: CHANGE_EVENT_NAME,
    timestamp: new Date(event.timestamp),
    observedTimestamp: new Date(event.receivedAt),
    // A failed change is worth a look: WARN lets log UIs colour it without parsing attributes.
    severityNumber: event.status === 'failed' ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: event.status === 'failed' ? 'WARN' : 'INFO',
    body: event.title,
    attributes: { ...changeAttributes(event), 'painchain.tenant': tenant },
  });
}

export function openTelemetryExporter(
  deps: OpenTelemetryExporterDeps = {},
): ExporterDefinition<typeof OpenTelemetryExporterOptions> {
  const createPipeline = deps.createPipeline ?? otlpPipeline;
  return {
    type: OPENTELEMETRY_EXPORTER_TYPE,
    description:
      'Each new or status-changed change as an OpenTelemetry log event (painchain.change) over OTLP',
    configSchema: OpenTelemetryExporterOptions,
    defaultConfig: () => ({ rememberChanges: DEFAULT_REMEMBERED_CHANGES }),
    create: ({ options }): Exporter => {
      const pipeline = createPipeline(options);
      const logger = pipeline.provider.getLogger(CHANGE_EVENTS_SCOPE, VERSION);
      const emitted = new EmittedChanges(options.rememberChanges);
      return {
        async export(tenant, events) {
          // Only what a receiver was not told yet; the same change twice in one call (the hub
          // merges queued batches) is compared with its earlier state in the call.
          const told = new Map<string, string | undefined>();
          const news: ChangeEvent[] = [];
          for (const event of events) {
            const state = emittedState(event);
            const before = told.has(event.id) ? told.get(event.id) : emitted.last(event.id);
            if (before === state) continue;
            told.set(event.id, state);
            news.push(event);
          }
          if (news.length === 0) return;
          const failedBefore = pipeline.failures();
          for (const event of news) emit(logger, tenant, event);
          // The SDK batches and sends; flushing here makes this call's outcome the receiver's, so
          // the hub counts a down endpoint as failed exports and holds back (bounded) meanwhile.
          await pipeline.provider.forceFlush();
          if (pipeline.failures() > failedBefore)
            throw new Error('the OTLP endpoint did not accept the change events');
          emitted.remember(news);
        },
        shutdown: () => pipeline.provider.shutdown(),
      };
    },
  };
}

/** The definition the registry lists. */
export const OPENTELEMETRY_EXPORTER = openTelemetryExporter();
