// A live collector for the plugin's tests: the real app on in-memory PGlite, with a read token
// (what Grafana's datasource holds) and an ingest token (what Grafana's contact point holds),
// loaded with the sample changes and one firing Grafana alert posted to its webhook route.
// `collector` is the collector module set (sources or build).
import { readFileSync } from 'node:fs';
import { sampleEvents } from './sample-events.mjs';

export const READ_TOKEN = 'painchain-plugin-test-read-token';
export const INGEST_TOKEN = 'painchain-plugin-test-ingest-token';

const alertFile = new URL('../data/grafana-alert-webhook.json', import.meta.url);

/** The sample Grafana notification, its alert started `startsMinutesAgo` before `now`. */
export function alertWebhook(now = Date.now()) {
  const { startsMinutesAgo, payload } = JSON.parse(readFileSync(alertFile, 'utf8'));
  const startsAt = new Date(now - startsMinutesAgo * 60_000).toISOString();
  return { ...payload, alerts: payload.alerts.map((alert) => ({ ...alert, startsAt })) };
}

/**
 * @param {{ buildApp: Function, createConfig: Function, PGliteDb: { open(dir?: string): Promise<{ close(): Promise<void> }> } }} collector
 * @param {number} [now]
 */
export async function startLiveCollector(collector, now = Date.now()) {
  const db = await collector.PGliteDb.open(undefined);
  const config = collector.createConfig({
    auth: {
      tokens: [
        { name: 'grafana', token: READ_TOKEN, scopes: ['read'] },
        { name: 'grafana-alerting', token: INGEST_TOKEN, scopes: ['ingest'] },
      ],
    },
  });
  const app = await collector.buildApp(config, { db, logger: false });
  const close = async () => {
    await app.close();
    await db.close();
  };
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    await app.painchain.pipeline.ingest('default', sampleEvents(now));
    const { port } = app.server.address();
    const url = `http://127.0.0.1:${port}`;
    // The alert arrives the way Grafana sends it: the webhook contact point, with the ingest token.
    const answer = await fetch(`${url}/api/v1/alerts/grafana`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
      body: JSON.stringify(alertWebhook(now)),
    });
    if (!answer.ok) {
      throw new Error(`the collector refused the sample alert: ${answer.status} ${await answer.text()}`);
    }
    const { alerts } = await answer.json();
    return { url, now, alertId: alerts[0].id, close };
  } catch (err) {
    await close();
    throw err;
  }
}
