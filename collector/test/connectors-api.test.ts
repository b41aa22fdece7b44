// Connectors seen from the API: an in-process connector run by the real runner (its events go
// through the pipeline, its state survives a restart) and standalone connectors' heartbeats.
import { Type } from 'typebox';
import type { ConnectorDefinition } from '@painchain/sdk';
import {
  createTestDatabase,
  RECENT,
  STORE_KINDS,
  type TestDatabase,
} from '../src/testing/index.js';
import { buildApp } from '../src/app.js';
import { createConfig } from '../src/config/load-config.js';
import type { Db } from '../src/store/db.js';

/** A stand-in for a connector package: emits one numbered event per start, resuming its counter. */
const counter: ConnectorDefinition = {
  type: 'counter',
  description: 'test connector that counts its starts',
  kinds: ['other'],
  configSchema: Type.Object({ project: Type.String({ default: 'acme/counter' }) }),
  defaultConfig: () => ({ project: 'acme/counter' }),
  create: (ctx) => ({
    async run() {
      const n = ((await ctx.state.get<number>('starts')) ?? 0) + 1;
      await ctx.state.set('starts', n);
      await ctx.emit({
        connector: 'counter',
        externalId: `start-${n}`,
        title: `start ${n}`,
        project: (ctx.config as { project: string }).project,
        timestamp: RECENT.toISOString(),
      });
      ctx.reportHealth({ message: `started ${n} times`, lastSyncAt: new Date() });
      if (ctx.signal.aborted) return;
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    },
  }),
};

const waitFor = async <T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.each(STORE_KINDS)('connectors API on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let clock = new Date();

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await database.open();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const start = async () => {
    const config = createConfig(
      { connectors: [{ name: 'count-1', type: 'counter' }] },
      { connectorTypes: [counter] },
    );
    const app = await buildApp(config, {
      db,
      logger: false,
      connectorTypes: [counter],
      now: () => clock,
    });
    await app.ready();
    return app;
  };

  test('an in-process connector emits through the pipeline, shows its state and resumes from stored state after a restart', async () => {
    let app = await start();
    const first = await waitFor(async () => {
      const body = (await app.inject('/api/v1/events?connector=counter')).json();
      return body.events.length === 1 ? body.events : undefined;
    });
    expect(first[0]).toMatchObject({
      title: 'start 1',
      project: 'acme/counter',
      externalId: 'start-1',
    });
    const status = (await app.inject('/api/v1/connectors')).json().connectors;
    expect(status).toEqual([
      expect.objectContaining({
        name: 'count-1',
        type: 'counter',
        mode: 'in-process',
        eventsEmitted: 1,
        health: expect.objectContaining({ message: 'started 1 times' }),
      }),
    ]);
    await app.close();

    app = await start();
    const titles = await waitFor(async () => {
      const body = (await app.inject('/api/v1/events?connector=counter')).json();
      return body.events.length === 2
        ? body.events.map((e: { title: string }) => e.title)
        : undefined;
    });
    expect(titles).toEqual(['start 2', 'start 1']);
    await app.close();
  });

  test('a standalone connector registers by heartbeat, and turns unresponsive when they stop', async () => {
    const app = await start();
    try {
      clock = new Date();
      const beat = await app.inject({
        method: 'POST',
        url: '/api/v1/connectors/github-acme/heartbeat',
        payload: {
          type: 'github',
          state: 'running',
          intervalSeconds: 30,
          health: {
            message: 'backfill',
            lastSyncAt: clock.toISOString(),
            progress: { phase: 'backfill', done: 3, total: 12, unit: 'repositories' },
          },
          eventsEmitted: 420,
        },
      });
      expect(beat.statusCode).toBe(200);
      expect(beat.json()).toMatchObject({ name: 'github-acme', nextHeartbeatWithinSeconds: 30 });

      const listed = (await app.inject('/api/v1/connectors')).json().connectors;
      const gh = listed.find((c: { name: string }) => c.name === 'github-acme');
      expect(gh).toMatchObject({
        mode: 'standalone',
        type: 'github',
        state: 'running',
        eventsEmitted: 420,
        health: { progress: { done: 3, total: 12, percent: 25 } },
      });

      clock = new Date(clock.getTime() + 91_000);
      const later = (await app.inject('/api/v1/connectors')).json().connectors;
      expect(later.find((c: { name: string }) => c.name === 'github-acme').state).toBe(
        'unresponsive',
      );
    } finally {
      await app.close();
    }
  });

  test('a bad heartbeat is refused and records nothing; an in-process name cannot be taken', async () => {
    const app = await start();
    try {
      const before = (
        await db.query<{ n: number }>('SELECT count(*)::int AS n FROM connector_heartbeats')
      ).rows[0]!.n;
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/connectors/x1/heartbeat',
        payload: { type: 'github', state: 'exploded' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toBe('invalid_body');
      const badName = await app.inject({
        method: 'POST',
        url: '/api/v1/connectors/Bad Name/heartbeat',
        payload: { type: 'github', state: 'running' },
      });
      expect(badName.statusCode).toBe(400);
      const taken = await app.inject({
        method: 'POST',
        url: '/api/v1/connectors/count-1/heartbeat',
        payload: { type: 'github', state: 'running' },
      });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().error).toBe('connector_name_taken');
      const after = (
        await db.query<{ n: number }>('SELECT count(*)::int AS n FROM connector_heartbeats')
      ).rows[0]!.n;
      expect(after).toBe(before);
    } finally {
      await app.close();
    }
  });
});
