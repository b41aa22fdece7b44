// A standalone connector against a local stand-in for the collector's HTTP API: its events
// arrive, its heartbeats are valid and end with `stopped`, and bad options stop it before it
// sends anything.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { ChangeEventInput } from '../change-event.js';
import type { ConnectorDefinition, ConnectorLogger, ConnectorState } from '../connector.js';
import { Heartbeat } from '../supervisor/heartbeat.js';
import { CollectorClient } from './collector-client.js';
import { runStandalone } from './run-standalone.js';

const TOKEN = 'pc_standalone_test';
const heartbeatSchema = Compile(Heartbeat);

interface Received {
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** Answers the two routes a standalone connector calls, as the collector does; records them. */
class FakeCollector {
  readonly received: Received[] = [];
  private nextId = 1;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeCollector> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const collector = new FakeCollector(server, `http://127.0.0.1:${port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void collector.answer(request).then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
    return collector;
  }

  events(): ChangeEventInput[] {
    return this.received
      .filter((request) => request.path === '/api/v1/events')
      .flatMap((request) => (request.body as { events: ChangeEventInput[] }).events);
  }

  heartbeats(name: string): Heartbeat[] {
    return this.received
      .filter((request) => request.path === `/api/v1/connectors/${name}/heartbeat`)
      .map((request) => request.body as Heartbeat);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '';
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    this.received.push({ path, authorization: request.headers.authorization, body });
    if (request.method !== 'POST') return { status: 404, body: { error: 'not_found' } };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      return { status: 401, body: { error: 'unauthorized', message: 'a bearer token is needed' } };
    }
    if (path === '/api/v1/events') {
      const { events } = body as { events: unknown[] };
      const ids = events.map(() => `evt-${this.nextId++}`);
      return {
        status: 201,
        body: { ids, created: ids.length, updated: 0, unchanged: 0, duplicates: 0 },
      };
    }
    const heartbeat = /^\/api\/v1\/connectors\/([^/]+)\/heartbeat$/.exec(path);
    if (heartbeat) {
      if (!heartbeatSchema.Check(body)) {
        return { status: 400, body: { error: 'invalid_body', message: 'invalid heartbeat' } };
      }
      return {
        status: 200,
        body: {
          name: decodeURIComponent(heartbeat[1]!),
          receivedAt: new Date().toISOString(),
          nextHeartbeatWithinSeconds: (body as Heartbeat).intervalSeconds ?? 30,
        },
      };
    }
    return { status: 404, body: { error: 'not_found', message: path } };
  }
}

const Options = Type.Object(
  {
    project: Type.String({ minLength: 1 }),
    changes: Type.Integer({ minimum: 0, default: 2 }),
    environment: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Runs that have sent their deploys and had them acknowledged (a test waits for this). */
let acknowledged = 0;

/** A connector that sends a few deploys at start, says so, and waits to be stopped. */
const demo: ConnectorDefinition<typeof Options> = {
  type: 'demo',
  description: 'sends a few deploys, then idles',
  kinds: ['deploy'],
  configSchema: Options,
  defaultConfig: () => ({ project: 'acme/api', changes: 2 }),
  validate: (options) => [
    ...(options.project.includes('/')
      ? []
      : [{ path: ['project'], message: 'must be owner/name' }]),
    ...(options.environment && options.environment !== options.environment.toLowerCase()
      ? [{ path: ['environment'], message: 'must be lower case' }]
      : []),
  ],
  create: (ctx) => ({
    run: async () => {
      const events = Array.from({ length: ctx.config.changes }, (_, i): ChangeEventInput => ({
        connector: 'demo',
        externalId: `deploy-${i + 1}`,
        kind: 'deploy',
        title: `deploy ${i + 1} of ${ctx.config.project}`,
        project: ctx.config.project,
        environment: ctx.config.environment,
        timestamp: new Date(Date.UTC(2026, 10, 25, 10, i)).toISOString(),
      }));
      await ctx.emit(events);
      ctx.reportHealth({ message: `sent ${events.length} deploys`, lastSyncAt: new Date() });
      acknowledged += 1;
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    },
  }),
};

const warnings: string[] = [];
const logger: ConnectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (obj, msg) => {
    warnings.push(msg ?? JSON.stringify(obj));
  },
  error: (obj, msg) => {
    warnings.push(msg ?? JSON.stringify(obj));
  },
  child: () => logger,
};

const memoryState = (): ConnectorState => {
  const values = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => values.get(key) as T | undefined,
    set: async (key, value) => {
      values.set(key, value);
    },
    delete: async (key) => {
      values.delete(key);
    },
  };
};

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('runStandalone against a collector', () => {
  let collector: FakeCollector;

  beforeEach(async () => {
    warnings.length = 0;
    acknowledged = 0;
    collector = await FakeCollector.start();
  });
  afterEach(() => collector.close());

  const start = (options: unknown, signal: AbortSignal) =>
    runStandalone({
      definition: demo,
      name: 'demo-1',
      options,
      collector: new CollectorClient({ url: collector.url, token: TOKEN, retries: 0 }),
      state: memoryState(),
      logger,
      signal,
      timing: { stopTimeoutMs: 1_000, startupGraceMs: 50 },
    });

  test('events reach the collector, and heartbeats register it and end with `stopped`', async () => {
    const stop = new AbortController();
    const running = start({ project: 'acme/api', environment: 'production' }, stop.signal);

    // Stopping before the collector answered would cut the request short (the run's signal
    // aborts it): wait for the answer, so that the connector counted its events.
    await until(
      () => acknowledged === 1 && collector.heartbeats('demo-1').length >= 1,
      'the events acknowledged and a first heartbeat',
    );
    stop.abort();
    await expect(running).resolves.toBeUndefined();

    expect(collector.events()).toEqual([
      expect.objectContaining({
        externalId: 'deploy-1',
        title: 'deploy 1 of acme/api',
        environment: 'production',
      }),
      expect.objectContaining({ externalId: 'deploy-2', project: 'acme/api' }),
    ]);
    expect(collector.received.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(
      true,
    );

    const heartbeats = collector.heartbeats('demo-1');
    for (const heartbeat of heartbeats) {
      expect([...heartbeatSchema.Errors(heartbeat)].map((error) => error.message)).toEqual([]);
    }
    expect(['starting', 'running']).toContain(heartbeats[0]!.state);
    expect(heartbeats[0]).toMatchObject({ type: 'demo', intervalSeconds: 30 });
    expect(heartbeats.at(-1)).toMatchObject({
      type: 'demo',
      state: 'stopped',
      eventsEmitted: 2,
      lastEventAt: expect.any(String),
      health: { message: 'sent 2 deploys', lastSyncAt: expect.any(String) },
    });
    expect(warnings).toEqual([]);
  });

  test('options that fail the schema are refused, every problem listed, before anything is sent', async () => {
    const failure = start({ changes: 'two', colour: 'red' }, new AbortController().signal);

    await expect(failure).rejects.toThrow(/^invalid options for connector demo-1:\n/);
    const lines = await failure.catch((error: Error) => error.message.split('\n').slice(1).sort());
    expect(lines).toEqual([
      '  options.changes: must be an integer, got a string',
      '  options.colour: unknown key; expected one of project, changes, environment',
      '  options.project: is required',
    ]);
    expect(collector.received).toEqual([]);
  });

  test('options refused by validate() are listed too, before anything is sent', async () => {
    const failure = start(
      { project: 'api', environment: 'Production' },
      new AbortController().signal,
    );

    await expect(failure).rejects.toThrow(
      new Error(
        [
          'invalid options for connector demo-1:',
          '  options.project: must be owner/name',
          '  options.environment: must be lower case',
        ].join('\n'),
      ),
    );
    expect(collector.received).toEqual([]);
  });
});
