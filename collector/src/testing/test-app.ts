// The real collector for tests: buildApp with a config made from an object (painchain.yaml as
// data), on a test database, silent, ready for inject() or listen().
import type { ConnectorDefinition } from '@painchain/sdk';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../app.js';
import { createConfig } from '../config/load-config.js';
import type { ExporterDefinition } from '../exporters/exporter-definition.js';
import type { Db } from '../store/db.js';
import type { TestDatabase } from './test-database.js';

export interface TestAppOptions {
  /** The connector types the config may name and the runner runs (none by default). */
  connectorTypes?: readonly ConnectorDefinition[];
  /** The exporter types the config may name (the collector's registry by default). */
  exporterTypes?: readonly ExporterDefinition[];
  /** The clock that judges "in the future". */
  now?: () => Date;
  /** For `${VAR}` in the config; none by default, whatever the process has. */
  env?: Record<string, string>;
  /** Turn the durable spool on (it needs `spool.dir` in the config: a folder of the test's own). */
  spool?: boolean;
  /** The spool drainer's first pause between pings of an unreachable store. */
  spoolRetryMs?: number;
  /** A pino logger instead of silence (a test reading what the collector logs). */
  logger?: Logger;
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  /** Rows in the events table, all tenants: the "changes nothing" check. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The real app on an already open database, which stays open when the app closes: a test can
 * stop and start the collector on the same store (a restart).
 */
export async function startCollector(
  db: Db,
  file: Record<string, unknown> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const config = createConfig(file, {
    env: options.env ?? {},
    connectorTypes: options.connectorTypes,
    exporterTypes: options.exporterTypes,
  });
  const app = await buildApp(config, {
    db,
    logger: options.logger ?? false,
    connectorTypes: options.connectorTypes,
    exporterTypes: options.exporterTypes,
    now: options.now,
    spool: options.spool ?? false,
    spoolRetryMs: options.spoolRetryMs,
  });
  await app.ready();
  return {
    app,
    db,
    count: () => app.painchain.store.count(),
    close: () => app.close(),
  };
}

/** The real app on a fresh connection to `database`, closed with the app. */
export async function startApp(
  database: TestDatabase,
  file: Record<string, unknown> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = await database.open();
  let started: TestApp;
  try {
    started = await startCollector(db, file, options);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return {
    ...started,
    close: async () => {
      await started.close();
      await db.close();
    },
  };
}
