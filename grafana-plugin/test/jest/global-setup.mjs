// Starts one live collector (the built one: jest's global setup does not go through the
// project's module mapping) for the plugin's jsdom tests; they read its URL from the environment.
import { existsSync } from 'node:fs';
import { startLiveCollector } from '../support/live-collector.mjs';

const dist = new URL('../../../collector/dist/src/', import.meta.url);

export default async function globalSetup() {
  if (!existsSync(new URL('app.js', dist))) {
    throw new Error('collector/dist is missing: run `npm run build` (root) before the plugin tests.');
  }
  const [{ buildApp }, { createConfig }, { PGliteDb }] = await Promise.all([
    import(new URL('app.js', dist).href),
    import(new URL('config/load-config.js', dist).href),
    import(new URL('store/pglite-db.js', dist).href),
  ]);
  const collector = await startLiveCollector({ buildApp, createConfig, PGliteDb });
  process.env.PAINCHAIN_TEST_COLLECTOR_URL = collector.url;
  process.env.PAINCHAIN_TEST_COLLECTOR_NOW = String(collector.now);
  process.env.PAINCHAIN_TEST_ALERT_ID = collector.alertId;
  globalThis.__painchainCollector = collector;
}
