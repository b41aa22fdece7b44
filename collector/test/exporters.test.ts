// Exporters fed by the real collector (HTTP ingest, both stores): each committed change reaches
// every exporter once, in batches of one tenant; an exporter that throws, hangs or cannot be
// built never fails or slows ingest, and what it drops or fails shows on /metrics; closing
// sends what is queued, then shuts exporters down; bad exporter config stops the load.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangeEvent } from '@painchain/sdk';
import { Type } from 'typebox';
import { ConfigError } from '../src/config/config-error.js';
import { createConfig, loadConfig } from '../src/config/load-config.js';
import type { Exporter, ExporterDefinition } from '../src/exporters/exporter-definition.js';
import {
  anEvent,
  createTestDatabase,
  readEvents,
  startApp,
  STORE_KINDS,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

interface Batch {
  exporter: string;
  tenant: string;
  events: ChangeEvent[];
}

/** What the test exporters saw, by instance name. */
const batches: Batch[] = [];
const shutdowns: string[] = [];
const exportedBy = (name: string) =>
  batches.filter((b) => b.exporter === name).flatMap((b) => b.events);

/**
 * A test exporter type: `behaviour` says what each export() does: record the batch (after
 * `delayMs`), throw, or never settle.
 */
const RecorderOptions = Type.Object(
  {
    behaviour: Type.Enum(['record', 'throw', 'hang'], { default: 'record' }),
    delayMs: Type.Integer({ minimum: 0, default: 0 }),
    prefix: Type.Optional(Type.String()),
    suffix: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const recorder: ExporterDefinition<typeof RecorderOptions> = {
  type: 'recorder',
  description: 'records the batches it is given',
  configSchema: RecorderOptions,
  defaultConfig: () => ({ behaviour: 'record', delayMs: 0 }),
  validate: (options) =>
    options.suffix !== undefined && options.prefix === undefined
      ? [{ path: ['suffix'], message: 'needs a prefix too' }]
      : [],
  create: ({ name, options }): Exporter => ({
    async export(tenant, events) {
      if (options.behaviour === 'throw') throw new Error('the receiver is down');
      if (options.behaviour === 'hang') return new Promise<void>(() => undefined);
      if (options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      batches.push({ exporter: name, tenant, events: [...events] });
    },
    async shutdown() {
      shutdowns.push(name);
    },
  }),
};
/** A type whose create() throws: the instance is left out, the collector runs on. */
const unbuildable: ExporterDefinition = {
  type: 'unbuildable',
  description: 'cannot be created',
  configSchema: Type.Object({}),
  defaultConfig: () => ({}),
  create: () => {
    throw new Error('no such endpoint');
  },
};
const exporterTypes = [recorder, unbuildable];

const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** The value of one exporter metric on /metrics, as a Prometheus scraper sees it. */
async function metric(t: TestApp, name: string, exporter: string): Promise<number | undefined> {
  const text = (await t.app.inject('/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{exporter="${exporter}"} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

beforeEach(() => {
  batches.length = 0;
  shutdowns.length = 0;
});

describe.each(STORE_KINDS)('exporters on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const post = (t: TestApp, body: unknown, token?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: body as object,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  test('each committed change reaches the exporter once; what the store answers unchanged does not', async () => {
    const t = await startApp(
      database,
      { exporters: [{ name: 'rec', type: 'recorder' }] },
      { exporterTypes },
    );
    try {
      await t.db.query('TRUNCATE events, event_keys');
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const one = anEvent({ title: 'one', externalId: 'e1', status: 'started', updatedAt: at(5) });
      const two = anEvent({ title: 'two', externalId: 'e2', status: 'started', updatedAt: at(5) });
      // The same change twice in one batch is stored (and exported) once.
      const first = await post(t, [one, two, one]);
      expect(first.statusCode).toBe(201);
      expect(first.json().ids[2]).toBe(first.json().ids[0]);
      await waitFor('2 exported changes', () => exportedBy('rec').length === 2);

      // Older states arriving late change nothing: answered unchanged, not exported.
      const late = await post(t, [
        { ...one, status: 'in_progress', updatedAt: at(10) },
        { ...two, status: 'in_progress', updatedAt: at(10) },
      ]);
      expect(late.json()).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
      // A newer state of a known change is a change: exported again, with that state.
      const update = await post(t, { ...two, status: 'failed', updatedAt: at(1) });
      expect(update.json()).toMatchObject({ updated: 1 });
      const third = await post(t, anEvent({ title: 'three', externalId: 'e3' }));
      expect(third.statusCode).toBe(201);
      // The queue keeps its order: once `three` is out, anything queued before it is too.
      await waitFor('the third change', () => exportedBy('rec').some((e) => e.title === 'three'));

      const exported = exportedBy('rec');
      expect(exported.map((e) => [e.externalId, e.status])).toEqual([
        ['e1', 'started'],
        ['e2', 'started'],
        ['e2', 'failed'],
        ['e3', null],
      ]);
      // What was exported is what the store holds and the API answers.
      const stored = await readEvents(t.app);
      expect(exported.at(-1)).toEqual(stored.find((e) => e.externalId === 'e3'));
      expect(batches.every((b) => b.tenant === 'default')).toBe(true);
      expect(await metric(t, 'painchain_exporter_exported_events_total', 'rec')).toBe(4);
      expect(await metric(t, 'painchain_exporter_dropped_events_total', 'rec')).toBe(0);
      expect(await metric(t, 'painchain_exporter_failures_total', 'rec')).toBe(0);
    } finally {
      await t.close();
    }
  });

  test('batches hold one tenant and at most batchSize changes', async () => {
    const tokens = [
      { name: 'a', token: 'tenant-a-token-0123456789', scopes: ['ingest', 'read'], tenant: 'a' },
      { name: 'b', token: 'tenant-b-token-0123456789', scopes: ['ingest', 'read'], tenant: 'b' },
    ];
    const t = await startApp(
      database,
      {
        auth: { tokens },
        exporters: [{ name: 'rec', type: 'recorder', batchSize: 2 }],
      },
      { exporterTypes },
    );
    try {
      await t.db.query('TRUNCATE events, event_keys');
      const events = (tenant: string, n: number) =>
        Array.from({ length: n }, (_, i) => anEvent({ title: `${tenant}${i}` }));
      expect((await post(t, events('a', 3), tokens[0]!.token)).statusCode).toBe(201);
      expect((await post(t, events('b', 2), tokens[1]!.token)).statusCode).toBe(201);
      await waitFor('5 exported changes', () => exportedBy('rec').length === 5);

      for (const batch of batches) {
        expect(batch.events.length).toBeLessThanOrEqual(2);
        expect(batch.events.every((e) => e.title.startsWith(batch.tenant))).toBe(true);
      }
      expect(exportedBy('rec').map((e) => e.title)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1']);
    } finally {
      await t.close();
    }
  });

  test('an exporter that throws, hangs or cannot be built fails nothing and slows nothing; its drops and failures show on /metrics', async () => {
    const t = await startApp(
      database,
      {
        exporters: [
          { name: 'rec', type: 'recorder' },
          { name: 'broken', type: 'recorder', options: { behaviour: 'throw' } },
          {
            name: 'stuck',
            type: 'recorder',
            queueSize: 2,
            batchSize: 1,
            timeoutSeconds: 1,
            options: { behaviour: 'hang' },
          },
          { name: 'absent', type: 'unbuildable' },
          { name: 'off', type: 'recorder', enabled: false },
        ],
      },
      { exporterTypes },
    );
    try {
      await t.db.query('TRUNCATE events, event_keys');
      const started = Date.now();
      const res = await post(
        t,
        Array.from({ length: 5 }, (_, i) => anEvent({ title: `change ${i}` })),
      );
      const answeredMs = Date.now() - started;
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ created: 5 });
      // Well inside the hanging exporter's timeout: ingest did not wait for it.
      expect(answeredMs).toBeLessThan(1000);
      expect((await readEvents(t.app)).length).toBe(5);
      expect(await t.count()).toBe(5);

      // The healthy exporter is not held back by the others.
      await waitFor('the healthy exporter', () => exportedBy('rec').length === 5);
      const failures = (name: string) => metric(t, 'painchain_exporter_failures_total', name);
      const dropped = (name: string) => metric(t, 'painchain_exporter_dropped_events_total', name);
      await waitFor('the failing export', async () => (await failures('broken')) === 1);
      // Two fit in the hanging exporter's queue, three were dropped; both exports timed out.
      expect(await dropped('stuck')).toBe(3);
      await waitFor('two timed-out exports', async () => (await failures('stuck')) === 2);
      expect(await metric(t, 'painchain_exporter_exported_events_total', 'stuck')).toBe(0);
      expect(await metric(t, 'painchain_exporter_queued_events', 'stuck')).toBe(0);
      expect(await dropped('broken')).toBe(0);
      expect(await failures('absent')).toBe(1);
      // A disabled instance has no metrics at all; the labels are the configured names only.
      expect(await failures('off')).toBeUndefined();

      const later = await post(t, anEvent({ title: 'later' }));
      expect(later.statusCode).toBe(201);
      await waitFor('the later change', () => exportedBy('rec').length === 6);
    } finally {
      await t.close();
    }
    expect(shutdowns.sort()).toEqual(['broken', 'rec', 'stuck']);
  });

  test('closing the collector sends what is still queued, then shuts each exporter down', async () => {
    const t = await startApp(
      database,
      {
        exporters: [{ name: 'slow', type: 'recorder', batchSize: 1, options: { delayMs: 100 } }],
      },
      { exporterTypes },
    );
    let closed = false;
    try {
      await t.db.query('TRUNCATE events, event_keys');
      const res = await post(
        t,
        Array.from({ length: 4 }, (_, i) => anEvent({ title: `change ${i}` })),
      );
      expect(res.statusCode).toBe(201);
      // The first export has barely started: three changes are still queued.
      expect(exportedBy('slow')).toHaveLength(0);
      await t.close();
      closed = true;
      expect(exportedBy('slow').map((e) => e.title)).toEqual([
        'change 0',
        'change 1',
        'change 2',
        'change 3',
      ]);
      expect(shutdowns).toEqual(['slow']);
    } finally {
      if (!closed) await t.close();
    }
  });
});

describe('exporters in painchain.yaml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-exporters-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The lines of the ConfigError that loading `yaml` raises. */
  async function problemsOf(
    yaml: string,
    types: readonly ExporterDefinition[] = exporterTypes,
  ): Promise<string[]> {
    const path = join(dir, 'painchain.yaml');
    await writeFile(path, yaml);
    try {
      await loadConfig({ path, env: {}, exporterTypes: types });
    } catch (error) {
      if (error instanceof ConfigError) return error.message.split('\n').slice(1);
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  test('an unknown type, options the schema refuses and validate() problems: each with file, line and path', async () => {
    const problems = await problemsOf(
      [
        'exporters:',
        '  - name: otel',
        '    type: otlp',
        '  - name: rec',
        '    type: recorder',
        '    options:',
        '      behaviour: loud',
        '      delay: 5',
        '  - name: half',
        '    type: recorder',
        '    options: { suffix: "!" }',
        '  - name: rec',
        '    type: recorder',
        '    batchSize: 20000',
        '',
      ].join('\n'),
    );
    const file = join(dir, 'painchain.yaml');
    expect(problems).toEqual([
      `${file}:3:5 exporters[0].type: unknown exporter type "otlp"; known types: recorder, unbuildable`,
      `${file}:7:7 exporters[1].options.behaviour: must be one of record, throw, hang`,
      `${file}:8:7 exporters[1].options.delay: unknown key; expected one of behaviour, delayMs, prefix, suffix`,
      `${file}:11:16 exporters[2].options.suffix: needs a prefix too`,
      `${file}:12:5 exporters[3].name: duplicate exporter name "rec" (also in exporters[1])`,
      `${file}:14:5 exporters[3].batchSize: must not be larger than queueSize (10000)`,
    ]);
  });

  test('with no exporter types installed, naming one says so', async () => {
    const problems = await problemsOf('exporters: [{ name: otel, type: otlp }]\n', []);
    expect(problems).toEqual([
      expect.stringMatching(
        /painchain\.yaml:1:\d+ exporters\[0\]\.type: unknown exporter type "otlp"; none are installed$/,
      ),
    ]);
  });

  test('defaults are filled in: the instance settings and the options of its type', () => {
    const config = createConfig(
      { exporters: [{ name: 'rec', type: 'recorder' }] },
      { exporterTypes },
    );
    expect(config.exporters).toEqual([
      {
        name: 'rec',
        type: 'recorder',
        enabled: true,
        queueSize: 10_000,
        batchSize: 512,
        timeoutSeconds: 30,
        options: { behaviour: 'record', delayMs: 0 },
      },
    ]);
    expect(createConfig({}).exporters).toEqual([]);
  });
});
