// What a PainChain datasource stores in Grafana: the collector URL is the datasource's own `url`
// (Grafana's data proxy forwards to it), the API token is secure, the rest is jsonData.
import type { DataSourceJsonData } from '@grafana/data';

export interface ChangesOptions extends DataSourceJsonData {
  /** Most events one query returns (pages of up to 1,000 are followed until then). */
  maxEvents?: number;
}

/** Stored encrypted by Grafana; only the data proxy reads it (plugin.json `routes`). */
export interface ChangesSecureJsonData {
  apiToken?: string;
}

export const DEFAULT_MAX_EVENTS = 5000;
/** Above this a browser tab slows down noticeably; narrow the query instead. */
export const MAX_MAX_EVENTS = 50_000;
/** The collector's largest page. */
export const PAGE_SIZE = 1000;
/** The route in plugin.json that adds the bearer token; every request goes through it. */
export const PROXY_ROUTE = 'collector';
