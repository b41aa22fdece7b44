// Finds the PainChain datasource the app's pages and the panel's drawer talk to, and gives its
// collector client through Grafana's data proxy (the token stays on Grafana's server).
import type { DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { CollectorApi } from '../datasource/api/collector-api';
import { PROXY_ROUTE } from '../datasource/types/config';

export const DATASOURCE_TYPE = 'painchain-changes-datasource';

export interface CollectorTarget {
  uid: string;
  name: string;
  api: CollectorApi;
}

export type CollectorLookup =
  | { found: true; target: CollectorTarget }
  /** `uid` was asked for and is not a PainChain datasource; or there is none at all. */
  | { found: false; uid: string | undefined };

/** The proxy URL Grafana gives a datasource's frontend, followed by the token-adding route. */
export const collectorOf = (settings: DataSourceInstanceSettings): CollectorTarget => ({
  uid: settings.uid,
  name: settings.name,
  api: new CollectorApi(`${settings.url ?? `/api/datasources/proxy/uid/${settings.uid}`}/${PROXY_ROUTE}`),
});

/** The datasource `uid` names, else the default PainChain datasource, else the first one. */
export function findCollector(uid?: string | null): CollectorLookup {
  const list = getDataSourceSrv().getList({ type: DATASOURCE_TYPE });
  const chosen = uid ? list.find((ds) => ds.uid === uid) : (list.find((ds) => ds.isDefault) ?? list[0]);
  return chosen ? { found: true, target: collectorOf(chosen) } : { found: false, uid: uid ?? undefined };
}
