// The browser harness page: the real datasource class queries the live collector through the
// data proxy (served by the test), and the real timeline panel renders the frames, in Grafana's
// theme. `?theme=light|dark`; `?bench=N` renders N generated events and reports the render time;
// `?dashboard=delivery` renders the four keys of the Delivery performance dashboard instead.
// Under /a/painchain-app/… the page is the real app root (the Investigate page) instead, as
// Grafana routes it; `?datasources=none` leaves Grafana without a PainChain datasource.
import { harnessTheme } from './boot';
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import {
  createTheme,
  dateTime,
  LoadingState,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type PanelData,
  type TimeRange,
} from '@grafana/data';
import { createBrowserHistory } from 'history';
import { Router, type Navigator } from 'react-router-dom-v5-compat';
import {
  HistoryWrapper,
  locationService,
  setBackendSrv,
  setLocationService,
  setDataSourceSrv,
  setTemplateSrv,
  type BackendSrv,
  type DataSourceSrv,
  type GetDataSourceListFilters,
  type BackendSrvRequest,
  type FetchResponse,
  type TemplateSrv,
} from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import { Observable } from 'rxjs';
import { AppRoot } from '../../../src/app/AppRoot';
import { ChangesDataSource } from '../../../src/datasource/datasource';
import {
  configureAlertInstanceLink,
  configureExploreLink,
  configurePanelLink,
} from '../../../src/extensions/extension-links';
import { eventsToFrame } from '../../../src/datasource/frames';
import type { ChangeEvent } from '../../../src/datasource/types/api';
import type { ChangesOptions } from '../../../src/datasource/types/config';
import type { ChangesQuery } from '../../../src/datasource/types/query';
import { TimelinePanel } from '../../../src/panel/components/TimelinePanel';
import { DEFAULT_OPTIONS } from '../../../src/panel/options';
import type { TimelineOptions } from '../../../src/panel/types';
import { renderDeliveryDashboard, type StatShown } from './delivery';

export interface HarnessState {
  ready: boolean;
  error?: string;
  rows?: number;
  notices?: string[];
  lastTimeRange?: { from: number; to: number };
  /** What the Delivery performance dashboard's stat panels show (`?dashboard=delivery`). */
  delivery?: StatShown[];
  /** Median and every run of the measured render, in milliseconds. */
  bench?: { events: number; renderMs: number; runsMs: number[] };
  /** The app's extension links' configure functions, called by the test with Grafana's contexts. */
  links: {
    alertInstance: typeof configureAlertInstanceLink;
    panel: typeof configurePanelLink;
    explore: typeof configureExploreLink;
  };
}

declare global {
  interface Window {
    harness: HarnessState;
  }
}
window.harness = {
  ready: false,
  links: { alertInstance: configureAlertInstanceLink, panel: configurePanelLink, explore: configureExploreLink },
};

const params = new URLSearchParams(window.location.search);
const PROXY_BASE = '/api/datasources/proxy/uid/painchain';

// Grafana's backend service, as far as the plugin uses it: fetch over window.fetch, answers
// and errors in the shapes of FetchResponse and FetchError.
const backendSrv = {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable((subscriber) => {
      const controller = new AbortController();
      window
        .fetch(options.url, { method: options.method ?? 'GET', signal: controller.signal })
        .then(async (res) => {
          const text = await res.text();
          const data = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as T) : (text as T);
          if (!res.ok) {
            subscriber.error({ status: res.status, statusText: res.statusText, data, config: options });
            return;
          }
          subscriber.next({
            data,
            status: res.status,
            statusText: res.statusText,
            ok: true,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          });
          subscriber.complete();
        })
        .catch((err: unknown) =>
          subscriber.error({ status: 0, statusText: String(err), data: undefined, config: options })
        );
      return () => controller.abort();
    });
  },
};
setBackendSrv(backendSrv as Partial<BackendSrv> as BackendSrv);
setTemplateSrv({
  getVariables: () => [],
  replace: (target?: string) => target ?? '',
  containsTemplate: () => false,
  updateTimeRange: () => undefined,
} as Partial<TemplateSrv> as TemplateSrv);

const theme = createTheme({ colors: { mode: harnessTheme } });

const settings: DataSourceInstanceSettings<ChangesOptions> = {
  id: 1,
  uid: 'painchain',
  type: 'painchain-changes-datasource',
  name: 'PainChain',
  url: PROXY_BASE,
  access: 'proxy',
  jsonData: {},
  readOnly: false,
  isDefault: true,
  meta: {
    id: 'painchain-changes-datasource',
    name: 'PainChain changes',
    type: 'datasource',
  } as DataSourceInstanceSettings['meta'],
};

// Grafana's history over the browser's (the build runs under jest, whose NODE_ENV=test makes
// @grafana/runtime default to an in-memory history).
setLocationService(new HistoryWrapper(createBrowserHistory()));

// Grafana's datasource service, as far as the app and the panel use it: the provisioned
// PainChain datasource (or none), found by type or uid.
const datasources = params.get('datasources') === 'none' ? [] : [settings];
setDataSourceSrv({
  getList: (filters?: GetDataSourceListFilters) =>
    datasources.filter((ds) => !filters?.type || [filters.type].flat().includes(ds.type)),
  getInstanceSettings: (ref?: unknown) =>
    datasources.find(
      (ds) => ref === ds.uid || (typeof ref === 'object' && ref !== null && 'uid' in ref && ref.uid === ds.uid)
    ),
  get: async () => new ChangesDataSource(settings),
  reload: async () => undefined,
  registerRuntimeDataSource: () => undefined,
} as Partial<DataSourceSrv> as DataSourceSrv);

function rangeOf(from: number, to: number): TimeRange {
  return { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } };
}

function App({ initial, frames }: { initial: TimeRange; frames: DataFrame[] }) {
  const [range, setRange] = useState(initial);
  const data: PanelData = { state: LoadingState.Done, series: frames, timeRange: range };
  const options: TimelineOptions = {
    ...DEFAULT_OPTIONS,
    laneBy: params.get('laneBy') === 'project' ? 'project' : 'service',
  };
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div style={{ padding: 16, background: theme.colors.background.primary, width: 1000 }}>
        <div style={{ border: `1px solid ${theme.colors.border.weak}`, padding: 8, borderRadius: 2 }}>
          <TimelinePanel
            id={1}
            data={data}
            timeRange={range}
            timeZone="utc"
            options={options}
            transparent={false}
            width={980}
            height={Number(params.get('height') ?? 220)}
            fieldConfig={{ defaults: {}, overrides: [] }}
            renderCounter={1}
            title="Changes"
            eventBus={undefined as never}
            onOptionsChange={() => undefined}
            onFieldConfigChange={() => undefined}
            replaceVariables={(s: string) => s}
            onChangeTimeRange={(r) => {
              window.harness.lastTimeRange = r;
              setRange(rangeOf(r.from, r.to));
            }}
          />
        </div>
      </div>
    </ThemeContext.Provider>
  );
}

function benchEvents(n: number, now: number): ChangeEvent[] {
  const kinds = ['deploy', 'pipeline', 'push', 'merge', 'config', 'release'] as const;
  const statuses = ['succeeded', 'failed', 'in_progress', null] as const;
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-${i}`,
    connector: 'bench',
    externalId: `bench-${i}`,
    kind: kinds[i % kinds.length]!,
    status: statuses[i % statuses.length]!,
    title: `Change ${i}`,
    description: null,
    project: `acme/repo-${i % 8}`,
    service: `service-${i % 8}`,
    environment: 'production',
    timestamp: new Date(now - ((i * 7919) % 86_400_000)).toISOString(),
    endTimestamp: i % 5 === 0 ? new Date(now - ((i * 7919) % 86_400_000) + 600_000).toISOString() : null,
    updatedAt: null,
    receivedAt: new Date(now).toISOString(),
    author: `dev-${i % 13}`,
    url: `https://example.com/changes/${i}`,
    refs: { commit: `c${i}` },
    tags: ['bench'],
    data: { n: i },
  }));
}

// The app root inside a router over Grafana's history, as Grafana renders app pages (@grafana/ui's
// links are router links).
function AppPage() {
  const [location, setLocation] = useState(() => locationService.getLocation());
  useEffect(() => {
    const subscription = locationService.getLocationObservable().subscribe(setLocation);
    return () => subscription.unsubscribe();
  }, []);
  return (
    <Router location={location} navigator={locationService.getHistory() as Navigator}>
      <ThemeContext.Provider value={theme}>
        <GlobalStyles />
        <div style={{ padding: 16, background: theme.colors.background.canvas, minHeight: '100vh' }}>
          <AppRoot
            meta={{ id: 'painchain-app', name: 'PainChain', type: 'app' } as never}
            basename="/a/painchain-app"
            onNavChanged={() => undefined}
            query={{}}
            path={window.location.pathname}
          />
        </div>
      </ThemeContext.Provider>
    </Router>
  );
}

async function main() {
  const root = createRoot(document.getElementById('root')!);
  if (window.location.pathname.startsWith('/a/painchain-app')) {
    root.render(<AppPage />);
    window.harness.ready = true;
    return;
  }
  const now = Number(params.get('now') ?? Date.now());
  if (params.get('dashboard') === 'delivery') {
    const days = Number(params.get('days') ?? 2);
    window.harness.delivery = await renderDeliveryDashboard(root, settings, theme, {
      from: now - days * 86_400_000,
      to: now,
    });
    window.harness.ready = true;
    return;
  }
  const benchSize = Number(params.get('bench') ?? 0);
  if (benchSize > 0) {
    // The page (theme, global styles) first renders with no events; then the measured render
    // reads 10,000 events from a frame, lays them out and draws them.
    const range = rangeOf(now - 86_400_000, now);
    const frames = [
      eventsToFrame({ refId: 'A', events: benchEvents(benchSize, now), cap: benchSize, truncated: false }),
    ];
    flushSync(() => root.render(<App initial={range} frames={[]} />));
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A new frame array each time, as a new query result would be.
      const fresh = frames.map((f) => ({ ...f }));
      const start = performance.now();
      flushSync(() => root.render(<App initial={range} frames={fresh} />));
      runs.push(performance.now() - start);
      flushSync(() => root.render(<App initial={range} frames={[]} />));
    }
    flushSync(() => root.render(<App initial={range} frames={frames} />));
    const sorted = [...runs].sort((a, b) => a - b);
    window.harness.bench = { events: benchSize, renderMs: sorted[Math.floor(sorted.length / 2)]!, runsMs: runs };
    window.harness.ready = true;
    return;
  }
  const ds = new ChangesDataSource(settings);
  const range = rangeOf(now - 3 * 3600_000, now + 5 * 60_000);
  const request: DataQueryRequest<ChangesQuery> = {
    requestId: 'harness',
    interval: '1m',
    intervalMs: 60_000,
    range,
    scopedVars: {},
    targets: [{ refId: 'A' }],
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  };
  const health = await ds.testDatasource();
  if (health.status !== 'success') {
    throw new Error(`health check: ${health.message}`);
  }
  const { data } = await ds.query(request);
  const frames = data as DataFrame[];
  window.harness.rows = frames.reduce((n, f) => n + f.length, 0);
  window.harness.notices = frames.flatMap((f) => f.meta?.notices?.map((n) => n.text) ?? []);
  root.render(<App initial={range} frames={frames} />);
  window.harness.ready = true;
}

main().catch((err: unknown) => {
  window.harness.error = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : JSON.stringify(err);
});
