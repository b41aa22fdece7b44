// A live collector for the plugin's tests: the real app on in-memory PGlite, with a read token,
// loaded with the sample changes. `load` is the collector module set (sources or build).
import { sampleEvents } from './sample-events.mjs';

export const READ_TOKEN = 'painchain-plugin-test-read-token';

/**
 * @param {{ buildApp: Function, createConfig: Function, PGliteDb: { open(dir?: string): Promise<{ close(): Promise<void> }> } }} collector
 * @param {number} [now]
 */
export async function startLiveCollector(collector, now = Date.now()) {
  const db = await collector.PGliteDb.open(undefined);
  const config = collector.createConfig({
    auth: { tokens: [{ name: 'grafana', token: READ_TOKEN, scopes: ['read'] }] },
  });
  const app = await collector.buildApp(config, { db, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await app.painchain.pipeline.ingest('default', sampleEvents(now));
  const { port } = app.server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    now,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
