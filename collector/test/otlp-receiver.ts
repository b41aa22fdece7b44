// A small OTLP/HTTP receiver on 127.0.0.1 for tests: it accepts what an OpenTelemetry SDK POSTs
// to /v1/logs, /v1/traces and /v1/metrics in the http/json encoding (the OTLP JSON mapping of
// the protobuf messages), answers as the specification says, and keeps what it received. It can
// be stopped and started again on the same port, as an endpoint that goes down and comes back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP AnyValue in the JSON encoding. */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface ReceivedLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
}
export interface ReceivedSpan {
  name: string;
  kind?: number;
  attributes?: KeyValue[];
  traceId?: string;
  parentSpanId?: string;
  spanId?: string;
}

interface ExportLogsRequest {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] };
    scopeLogs?: { scope?: { name?: string }; logRecords?: ReceivedLogRecord[] }[];
  }[];
}
interface ExportTraceRequest {
  resourceSpans?: { scopeSpans?: { spans?: ReceivedSpan[] }[] }[];
}
interface ExportMetricsRequest {
  resourceMetrics?: { scopeMetrics?: { metrics?: { name: string }[] }[] }[];
}

/** An AnyValue as a plain value: strings, numbers, booleans and arrays of them. */
export function plain(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return undefined;
}

export function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

export class OtlpReceiver {
  readonly logs: {
    resource: Record<string, unknown>;
    scope: string | undefined;
    record: ReceivedLogRecord;
  }[] = [];
  readonly spans: ReceivedSpan[] = [];
  readonly metricNames = new Set<string>();
  /** Every request, with its path and content type. */
  readonly requests: { path: string; contentType: string }[] = [];
  #server: Server | undefined;
  #port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Listens (on the port it had before, after a stop). */
  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        const contentType = String(request.headers['content-type'] ?? '');
        this.requests.push({ path, contentType });
        if (request.method !== 'POST' || !contentType.startsWith('application/json')) {
          response.writeHead(415).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        this.#take(path, body);
        // An ExportServiceResponse without partial_success: everything was accepted.
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops open connections: the endpoint is down. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The change events received, one per log record named painchain.change. */
  changeRecords(): ReceivedLogRecord[] {
    return this.logs.filter((l) => l.record.eventName === 'painchain.change').map((l) => l.record);
  }

  #take(path: string, body: unknown): void {
    if (path === '/v1/logs') {
      for (const rl of (body as ExportLogsRequest).resourceLogs ?? []) {
        const resource = attributesOf(rl.resource?.attributes);
        for (const sl of rl.scopeLogs ?? [])
          for (const record of sl.logRecords ?? [])
            this.logs.push({ resource, scope: sl.scope?.name, record });
      }
    } else if (path === '/v1/traces') {
      for (const rs of (body as ExportTraceRequest).resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? []) this.spans.push(...(ss.spans ?? []));
    } else if (path === '/v1/metrics') {
      for (const rm of (body as ExportMetricsRequest).resourceMetrics ?? [])
        for (const sm of rm.scopeMetrics ?? [])
          for (const metric of sm.metrics ?? []) this.metricNames.add(metric.name);
    }
  }
}
