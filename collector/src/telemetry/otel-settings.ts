// What the standard OTEL_* environment variables ask of the collector's telemetry, decided once
// and without side effects: which signals are on, over which protocol, and to where.
// Default off: a signal is exported only once an endpoint or its OTEL_<SIGNAL>_EXPORTER asks for it.

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** The OTLP encodings the collector sends; both go over HTTP (port 4318). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const DEFAULT_SERVICE_NAME = 'painchain-collector';
/** The OTLP/HTTP endpoint of the specification's default, used when only an exporter is named. */
export const DEFAULT_OTLP_HTTP_ENDPOINT = 'http://localhost:4318';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SignalSettings {
  /** Export this signal at all. */
  readonly enabled: boolean;
  /** `otlp` or `console` (a debugging aid: prints to stdout). */
  readonly exporter: 'otlp' | 'console';
  readonly protocol: OtlpProtocol;
  /** The full URL OTLP records of this signal are POSTed to (`…/v1/logs`). */
  readonly url: string;
}

export interface OtelSettings {
  /** OTEL_SDK_DISABLED=true: nothing at all, whatever else is set. */
  readonly disabled: boolean;
  /** service.name of the resource: OTEL_SERVICE_NAME, else `painchain-collector`. */
  readonly serviceName: string;
  readonly traces: SignalSettings;
  readonly metrics: SignalSettings;
  readonly logs: SignalSettings;
  /** Settings the collector refuses (an unsupported protocol): start-up stops with these. */
  readonly problems: readonly string[];
}

const set = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

const upper = (signal: Signal) => signal.toUpperCase();

/** The specification's rule: a signal-specific endpoint is used as is, the generic one gets `/v1/<signal>`. */
function signalUrl(env: Env, signal: Signal): string {
  const specific = set(env, `OTEL_EXPORTER_OTLP_${upper(signal)}_ENDPOINT`);
  if (specific) return specific;
  const base = set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? DEFAULT_OTLP_HTTP_ENDPOINT;
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}

function signalSettings(env: Env, signal: Signal, problems: string[]): SignalSettings {
  const exporterVar = `OTEL_${upper(signal)}_EXPORTER`;
  const named = set(env, exporterVar)
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const endpoint =
    set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ??
    set(env, `OTEL_EXPORTER_OTLP_${upper(signal)}_ENDPOINT`);
  const protocolVar = set(env, `OTEL_EXPORTER_OTLP_${upper(signal)}_PROTOCOL`)
    ? `OTEL_EXPORTER_OTLP_${upper(signal)}_PROTOCOL`
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocolText = set(env, protocolVar) ?? 'http/protobuf';
  const protocol = (OTLP_PROTOCOLS as readonly string[]).includes(protocolText)
    ? (protocolText as OtlpProtocol)
    : 'http/protobuf';

  let exporter: SignalSettings['exporter'] = 'otlp';
  let enabled: boolean;
  if (named === undefined || named.length === 0) {
    // Unset: on only when an endpoint says where to. This is what keeps a collector without
    // any OTEL_* variable from trying localhost:4318 and logging its failures forever.
    enabled = endpoint !== undefined;
  } else if (named.includes('none')) {
    enabled = false;
  } else {
    enabled = true;
    const unknown = named.filter((n) => n !== 'otlp' && n !== 'console');
    if (unknown.length > 0)
      problems.push(
        `${exporterVar}=${unknown.join(',')} is not supported: use otlp, console or none`,
      );
    exporter = named.includes('otlp') ? 'otlp' : 'console';
  }
  if (enabled && exporter === 'otlp' && protocolText !== protocol)
    problems.push(
      `${protocolVar}=${protocolText} is not supported: use http/protobuf or http/json (OTLP over HTTP, port 4318)`,
    );
  return { enabled, exporter, protocol, url: signalUrl(env, signal) };
}

export function readOtelSettings(env: Env): OtelSettings {
  const problems: string[] = [];
  const disabled = set(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
  const signals = Object.fromEntries(
    SIGNALS.map((signal) => {
      const settings = signalSettings(env, signal, disabled ? [] : problems);
      return [signal, disabled ? { ...settings, enabled: false } : settings];
    }),
  ) as Record<Signal, SignalSettings>;
  return {
    disabled,
    serviceName: set(env, 'OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME,
    ...signals,
    // One variable can be wrong for several signals: say it once.
    problems: [...new Set(problems)],
  };
}
