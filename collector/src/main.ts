#!/usr/bin/env node
// Command line: read args, load the config, build the app, listen, and shut down gracefully.
import { pino } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, describeConfig, loadConfig, parseArgs } from './config/index.js';
import { EXPORTER_TYPES } from './exporters/exporter-registry.js';
import { CONNECTOR_TYPES } from './runner/connector-registry.js';
import { VERSION } from './version.js';

const USAGE = `painchain-collector ${VERSION}

Usage: painchain-collector [--config painchain.yaml]

  -c, --config FILE   configuration file (default: $PAINCHAIN_CONFIG, else built-in defaults)
  -h, --help          this text

Environment: PAINCHAIN_CONFIG, PAINCHAIN_HOST, PAINCHAIN_PORT, PAINCHAIN_DATA_DIR,
DATABASE_URL, PAINCHAIN_LOG_LEVEL. See docs/configuration.md.`;

/** Without tokens the API is open, so it may only be reachable from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err: unknown) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.error(USAGE);
    return 0;
  }

  let config;
  try {
    config = await loadConfig({
      path: args.configPath,
      env: process.env,
      connectorTypes: CONNECTOR_TYPES,
      exporterTypes: EXPORTER_TYPES,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`painchain: ${err.message}`);
      return 2;
    }
    throw err;
  }

  const logger = pino({
    level: config.log.level,
    redact: ['req.headers.authorization', 'req.headers["x-gitlab-token"]', 'req.headers.cookie'],
  });
  const { host, port } = config.server;
  const openApi = config.auth.tokens.length === 0 || config.auth.disabled;
  if (openApi && !isLoopback(host) && !config.auth.disabled) {
    logger.fatal(
      { host },
      'refusing to listen on a non-loopback address without API tokens: declare auth.tokens in the config, or set auth.disabled: true if something in front of PainChain authenticates',
    );
    return 2;
  }
  if (config.auth.tokens.length === 0 && !config.auth.disabled)
    logger.warn(
      { host },
      'no API tokens configured: the API is open, so it listens on loopback only',
    );
  else if (config.auth.disabled)
    logger.warn({ host }, 'auth.disabled is true: the API accepts every request');

  logger.info({ version: VERSION, config: describeConfig(config) }, 'starting PainChain collector');
  const app = await buildApp(config, {
    logger,
    connectorTypes: CONNECTOR_TYPES,
    exporterTypes: EXPORTER_TYPES,
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info(
      { signal },
      'shutting down: finishing requests, stopping connectors, closing the store',
    );
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const address = await app.listen({ host, port });
  const url = address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  logger.info(
    { url, store: app.painchain.db.kind, docs: `${url}/docs` },
    `PainChain collector listening on ${url} (store: ${app.painchain.db.kind === 'pglite' ? `embedded PGlite in ${config.store.dataDir}` : 'PostgreSQL'}). ` +
      `Send a first change: curl -X POST ${url}/api/v1/events -H 'content-type: application/json' ` +
      `-d '{"title":"Deploy api v1.2.3","connector":"ci","project":"acme/api","kind":"deploy","timestamp":"${new Date().toISOString()}"}'`,
  );
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error('painchain: failed to start:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
