// buildApp for a command of the collector: a database it cannot use is said in one log line
// that names the setting (DATABASE_URL or store.url) and what to check, instead of a stack trace.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../app.js';
import type { Config } from '../config/index.js';
import { EXPORTER_TYPES } from '../exporters/exporter-registry.js';
import { CONNECTOR_TYPES } from '../runner/connector-registry.js';
import { explainDatabaseError } from './explain-startup-error.js';

/** The app with the installed types, or undefined after logging why the store cannot be used. */
export async function buildAppOrExplain(
  config: Config,
  logger: Logger,
): Promise<FastifyInstance | undefined> {
  try {
    return await buildApp(config, {
      logger,
      connectorTypes: CONNECTOR_TYPES,
      exporterTypes: EXPORTER_TYPES,
    });
  } catch (err) {
    const url = config.store.url;
    const source =
      url !== undefined && url === process.env.DATABASE_URL ? 'DATABASE_URL' : 'store.url';
    const explained = url === undefined ? undefined : explainDatabaseError(err, { url, source });
    if (!explained) throw err;
    logger.fatal(explained);
    return undefined;
  }
}
