#!/usr/bin/env node
// Command line: read args, load the config, build the app, listen, and shut down gracefully.
// First, for their side effects: the heap's growth is set, and OpenTelemetry starts before
// fastify and node:http are loaded.
import './startup/heap-growth.js';
import { telemetry } from './telemetry/telemetry-bootstrap.js';
import { describeConfig, parseArgs } from './config/index.js';
import { buildAppOrExplain } from './startup/build-app-or-explain.js';
import { describeListenError, portProblem } from './startup/check-port.js';
import { createLogger } from './startup/create-logger.js';
import { loadStartupConfig } from './startup/load-startup-config.js';
import { VERSION } from './version.js';

const USAGE = `painchain-collector ${VERSION}

Usage: painchain-collector [--config painchain.yaml] [--port N] [--host ADDRESS]
       npm start -- [the same options]

  -c, --config FILE   configuration file (default: $PAINCHAIN_CONFIG, else built-in defaults)
  -p, --port N        port to listen on (default 8000; also PAINCHAIN_PORT, server.port)
      --host ADDRESS  address to listen on (default 127.0.0.1; also PAINCHAIN_HOST, server.host)
  -h, --help          this text

Environment: PAINCHAIN_CONFIG, PAINCHAIN_HOST, PAINCHAIN_PORT, PAINCHAIN_DATA_DIR,
PAINCHAIN_SPOOL_DIR, DATABASE_URL, PAINCHAIN_LOG_LEVEL, PAINCHAIN_LOG_FORMAT (auto, pretty, json);
OTEL_EXPORTER_OTLP_ENDPOINT and the other standard OTEL_* variables
(docs/opentelemetry.md). See docs/configuration.md.`;

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

  const config = await loadStartupConfig(args, telemetry.settings.problems);
  if (!config) return 2;

  const { logger, pretty } = createLogger(config.log.level, config.log.format);
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

  // Checked before the embedded database or any connection is made: nothing to undo.
  const busy = await portProblem(host, port);
  if (busy) {
    logger.fatal({ host, port }, busy);
    return 2;
  }

  logger.info({ version: VERSION, config: describeConfig(config) }, 'starting PainChain collector');
  const app = await buildAppOrExplain(config, logger);
  if (!app) return 2;

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
    app
      .close()
      // Spans and metrics still buffered go out (bounded by the exporters' own timeouts).
      .then(() => telemetry.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (err) {
    // Taken between the check and now: said the same way.
    const code = (err as NodeJS.ErrnoException).code;
    if (!code?.startsWith('E')) throw err;
    logger.fatal({ host, port }, describeListenError(err as NodeJS.ErrnoException, host, port));
    await app.close().catch(() => undefined);
    return 2;
  }
  const url = address.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const where =
    app.painchain.db.kind === 'pglite'
      ? `embedded PGlite in ${config.store.dataDir}`
      : 'PostgreSQL';
  const curl =
    `curl -X POST ${url}/api/v1/events -H 'content-type: application/json' ` +
    `-d '{"title":"Deploy api v1.2.3","connector":"ci","project":"acme/api","kind":"deploy","timestamp":"${new Date().toISOString()}"}'`;
  if (pretty) {
    logger.info(
      `PainChain collector listening on ${url} (store: ${where}); API reference: ${url}/docs`,
    );
    // A plain line, not a log field: it is meant to be copied and pasted into a shell.
    process.stdout.write(`\nSend a first change:\n\n  ${curl}\n\n`);
  } else {
    logger.info(
      { url, store: app.painchain.db.kind, docs: `${url}/docs`, firstChange: curl },
      `PainChain collector listening on ${url} (store: ${where}). Send a first change: ${curl}`,
    );
  }
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
