#!/usr/bin/env node
// `npm run demo`: a sample week of changes (marked as demo data) put into the store, then the
// collector started exactly as `npm start` starts it; `--remove` deletes the sample and exits.
// First, for their side effects: the heap's growth, then OpenTelemetry before fastify is loaded
// (as in main.ts).
import './startup/heap-growth.js';
import { telemetry } from './telemetry/telemetry-bootstrap.js';
import { DEFAULT_TENANT } from './config/index.js';
import { parseDemoArgs, REMOVE_FLAG, type DemoArgs } from './sample/demo-args.js';
import { DEMO_TAG, DEMO_TITLE_PREFIX } from './sample/demo-history.js';
import { fillDemoData, removeDemoData } from './sample/demo-data.js';
import { buildAppOrExplain } from './startup/build-app-or-explain.js';
import { portProblem } from './startup/check-port.js';
import { createLogger } from './startup/create-logger.js';
import { loadStartupConfig } from './startup/load-startup-config.js';

const USAGE = `Usage: npm run demo [-- --config FILE] [--port N] [--host ADDRESS]
       npm run demo -- --remove [--config FILE]

Puts a sample week of changes into the collector's store (tenant "${DEFAULT_TENANT}"): several
sources, a failed production rollout and the alert after it. Every sample change has the tag
${DEMO_TAG} and a title starting with "${DEMO_TITLE_PREFIX.trim()}". Running it again replaces the
sample with a fresh week ending now. Then the collector starts as \`npm start\` starts it, on the
same store (by default the embedded one in .painchain/data).

  --remove   delete the sample changes (nothing else) and exit
  the collector's options (--config, --port, --host) as for \`npm start -- --help\``;

/** 'start' when the collector should start now, else the exit code. */
async function demo(argv: readonly string[]): Promise<number | 'start'> {
  let parsed: DemoArgs;
  try {
    parsed = parseDemoArgs(argv);
  } catch (err: unknown) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { remove, collector: args, collectorArgv } = parsed;
  if (args.help) {
    console.error(USAGE);
    return 0;
  }
  const config = await loadStartupConfig(args, telemetry.settings.problems);
  if (!config) return 2;
  const { logger } = createLogger(config.log.level, config.log.format);
  const { host, port } = config.server;
  // Said before a week of changes is written, not after: the collector could not start.
  const busy = remove ? undefined : await portProblem(host, port);
  if (busy) {
    logger.fatal({ host, port }, busy);
    return 2;
  }

  // Not made ready: connectors and exporters stay stopped while the sample goes in.
  const app = await buildAppOrExplain(config, logger);
  if (!app) return 2;
  const where = config.store.url === undefined ? config.store.dataDir : 'PostgreSQL';
  try {
    if (remove) {
      const removed = await removeDemoData(app.painchain.store, DEFAULT_TENANT);
      logger.info(
        { removed, tag: DEMO_TAG },
        `removed ${removed} sample changes (tag ${DEMO_TAG}) from ${where}; nothing else was touched`,
      );
      return 0;
    }
    const started = Date.now();
    const filled = await fillDemoData(app.painchain, DEFAULT_TENANT, config.alerts.labels);
    logger.info(
      { ...filled, tag: DEMO_TAG, ms: Date.now() - started },
      `stored ${filled.stored} sample changes of the last 7 days in ${where}` +
        (filled.replaced > 0 ? ` (replacing ${filled.replaced} of an earlier run)` : '') +
        `, each tagged ${DEMO_TAG} and titled "${DEMO_TITLE_PREFIX.trim()} …". ` +
        `The failed production rollout of payments is ${filled.rolloutId}; ` +
        `its alert's likely causes: GET /api/v1/suspects?alert=${filled.alertId}. ` +
        `Remove the sample with: npm run demo -- ${REMOVE_FLAG}`,
    );
  } finally {
    await app.close();
  }
  // main.ts reads its options from process.argv: the same ones, without the demo's own.
  process.argv = [...process.argv.slice(0, 2), ...collectorArgv];
  return 'start';
}

demo(process.argv.slice(2)).then(
  async (next) => {
    if (next === 'start') await import('./main.js');
    else process.exit(next);
  },
  (err: unknown) => {
    console.error('painchain demo: failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
