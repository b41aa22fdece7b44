// The Investigate page's address: written by the extension links, the panel's drawer and the
// Explore data links, read by the page. Times are epoch milliseconds in the URL.
import { DATASOURCE_TYPE } from './painchain-datasource';

export const APP_ID = 'painchain-app';
export const INVESTIGATE_PATH = `/a/${APP_ID}/investigate`;

export interface InvestigateParams {
  service?: string;
  environment?: string;
  project?: string;
  /** When the incident happened (epoch ms); the collector's default is now. */
  at?: number;
  /** `30m`, `2h`, `1d`: how far before `at` to look; the collector's default is 120m. */
  lookback?: string;
  /** A stored alert event's id: at, service, environment and project come from it. */
  alert?: string;
  /** A time range (epoch ms) to show instead of the window before `at` (panel and Explore links). */
  from?: number;
  to?: number;
  /** The PainChain datasource to ask; the default one when absent. */
  datasource?: string;
}

const TEXT_PARAMS = ['service', 'environment', 'project', 'lookback', 'alert', 'datasource'] as const;
const TIME_PARAMS = ['at', 'from', 'to'] as const;
const LOOKBACK = /^\d+\s*[smhd]$/;

/** `/a/painchain-app/investigate?…` with only the parameters that are set. */
export function investigatePath(params: InvestigateParams): string {
  const search = new URLSearchParams();
  for (const name of [...TEXT_PARAMS, ...TIME_PARAMS]) {
    const value = params[name];
    if (value !== undefined && value !== '' && !(typeof value === 'number' && !Number.isFinite(value))) {
      search.set(name, typeof value === 'number' ? String(Math.round(value)) : value);
    }
  }
  const query = search.toString();
  return query ? `${INVESTIGATE_PATH}?${query}` : INVESTIGATE_PATH;
}

/** Epoch ms or an RFC 3339 time; anything else is a problem to show, not a guess. */
export function parseTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d{10,14}$/.test(trimmed)) {
    return Number(trimmed);
  }
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

export interface ReadParams {
  params: InvestigateParams;
  /** Parameters present but unreadable, in words. */
  problems: string[];
}

export function readInvestigateParams(search: URLSearchParams): ReadParams {
  const params: InvestigateParams = {};
  const problems: string[] = [];
  for (const name of TEXT_PARAMS) {
    const value = search.get(name)?.trim();
    if (value) {
      params[name] = value;
    }
  }
  for (const name of TIME_PARAMS) {
    const value = search.get(name);
    if (value) {
      const ms = parseTime(value);
      if (ms === undefined) {
        problems.push(`"${name}" must be epoch milliseconds or an RFC 3339 time, not "${value.slice(0, 40)}"`);
      } else {
        params[name] = ms;
      }
    }
  }
  if (params.lookback && !LOOKBACK.test(params.lookback)) {
    problems.push(`"lookback" must be a duration like 30m, 2h or 1d, not "${params.lookback.slice(0, 16)}"`);
    delete params.lookback;
  }
  if (params.from !== undefined && params.to !== undefined && params.from >= params.to) {
    problems.push('"from" must be before "to"');
    delete params.from;
    delete params.to;
  }
  return { params, problems };
}

/** Whether the page has a question to ask (else it shows how to start). */
export const hasQuestion = (p: InvestigateParams): boolean =>
  Boolean(p.alert || p.service || p.environment || p.project || p.at !== undefined || p.to !== undefined);

/** A data link (Explore, tables) to Investigate around one change, in Grafana's URL syntax. */
export const INVESTIGATE_DATA_LINK =
  `${INVESTIGATE_PATH}?at=\${__data.fields.time.numeric}` +
  '&service=${__data.fields.service:percentencode}&environment=${__data.fields.environment:percentencode}';

export { DATASOURCE_TYPE };
