// The drilldown from an alert to its likely causes, wired once: chains, suspects, Grafana's
// alert webhook and the /go/changes link share one link store and one chain finder.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config-schema.js';
import { drilldownFinders } from '../drilldown/drilldown-finders.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { Db } from '../store/db.js';
import { LinkStore } from '../store/link-store.js';
import { chainRoutes } from './chain-routes.js';
import { goRoutes } from './go-routes.js';
import { grafanaAlertsRoutes } from './grafana-alerts-routes.js';
import { suspectsRoutes } from './suspects-routes.js';

export interface DrilldownRoutesOptions {
  config: Config['drilldown'];
  alerts: Config['alerts'];
  grafana: Config['grafana'];
  db: Db;
  pipeline: IngestPipeline;
}

export const drilldownRoutes: FastifyPluginAsyncTypebox<DrilldownRoutesOptions> = async (
  app,
  { config, alerts, grafana, db, pipeline },
) => {
  const links = new LinkStore(db);
  const { chains, suspects } = drilldownFinders(links, config);
  const lookback = {
    lookbackMinutes: config.lookbackMinutes,
    maxLookbackMinutes: config.maxLookbackMinutes,
  };
  await app.register(chainRoutes, { chains, maxEvents: config.chainMaxEvents });
  await app.register(suspectsRoutes, { suspects, links, ...lookback });
  await app.register(grafanaAlertsRoutes, {
    pipeline,
    suspects,
    labels: alerts.labels,
    lookbackMinutes: config.lookbackMinutes,
  });
  await app.register(goRoutes, {
    grafanaUrl: grafana.url,
    dashboardUid: grafana.changesDashboardUid,
    lookbackMinutes: config.lookbackMinutes,
  });
};
