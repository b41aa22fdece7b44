import {
  createDataFrame,
  dateTime,
  FieldType,
  LoadingState,
  PluginExtensionPoints,
  type PanelData,
  type PluginExtensionPanelContext,
} from '@grafana/data';
import { installTemplateSrv } from '../../test/support/grafana-services';
import pluginJson from '../plugin.json';
import {
  alertInstanceLink,
  configureAlertInstanceLink,
  configureExploreLink,
  configurePanelLink,
  EXTENSION_LINKS,
  exploreLink,
  panelLink,
  type AlertInstanceContext,
  type ExploreContext,
} from './extension-links';

const STARTED = '2026-11-26T09:12:00Z';

/** The context Grafana builds for an alert instance (buildAlertInstancePluginContext). */
const alertContext = (over: Partial<AlertInstanceContext['instance']> = {}): AlertInstanceContext => ({
  instance: {
    activeAt: STARTED,
    annotations: { summary: 'payments answers 5xx' },
    labels: {
      alertname: 'PaymentsErrorRate',
      service: 'payments',
      env: 'production',
      cluster: 'prod-eu',
      namespace: 'payments',
    },
    state: 'Alerting',
    value: "[ var='B' value=0.071 ]",
    ...over,
  },
  rule: { name: 'PaymentsErrorRate', query: 'B', labels: {}, annotations: {}, uid: 'payments-5xx' },
});

const panelContext = (over: Partial<PluginExtensionPanelContext> = {}): PluginExtensionPanelContext => ({
  pluginId: 'timeseries',
  id: 2,
  title: 'Error rate',
  timeRange: { from: '2026-11-26T08:00:00Z', to: '2026-11-26T10:00:00Z' },
  timeZone: 'utc',
  dashboard: { uid: 'payments', title: 'Payments', tags: [] },
  targets: [{ refId: 'A' }],
  ...over,
});

const seriesWith = (labels: Array<Record<string, string>>): PanelData => ({
  state: LoadingState.Done,
  series: labels.map((l) =>
    createDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [1] },
        { name: 'Value', type: FieldType.number, values: [0.5], labels: l },
      ],
    })
  ),
  timeRange: { from: dateTime(0), to: dateTime(1), raw: { from: 'now-1h', to: 'now' } },
});

const query = (path: string | undefined) => Object.fromEntries(new URL(path ?? '', 'http://grafana').searchParams);

describe('extension links as Grafana registers them', () => {
  it("targets Grafana's own extension points, and plugin.json declares each with the same title", () => {
    expect(alertInstanceLink.targets).toEqual(['grafana/alerting/instance/action']);
    expect(panelLink.targets).toEqual([PluginExtensionPoints.DashboardPanelMenu]);
    expect(exploreLink.targets).toEqual([PluginExtensionPoints.ExploreToolbarAction]);
    expect(pluginJson.preload).toBe(true);
    expect(pluginJson.extensions.addedLinks).toEqual(
      EXTENSION_LINKS.map((l) => ({ targets: l.targets, title: l.title, description: l.description }))
    );
    // Grafana only shows an app's links whose path is inside the app.
    for (const link of EXTENSION_LINKS) {
      expect(link.path).toBe('/a/painchain-app/investigate');
    }
  });
});

describe('"Recent changes" on an alert instance', () => {
  it("opens Investigate with the instance's place and start", () => {
    const link = configureAlertInstanceLink(alertContext());
    expect(link?.path.startsWith('/a/painchain-app/investigate?')).toBe(true);
    expect(query(link?.path)).toEqual({
      service: 'payments',
      environment: 'production',
      project: 'prod-eu/payments',
      at: String(Date.parse(STARTED)),
    });
  });

  it('maps app/job and environment labels like the collector, and leaves out a never-active start', () => {
    const link = configureAlertInstanceLink(
      alertContext({ labels: { job: 'checkout', environment: 'staging' }, activeAt: '0001-01-01T00:00:00Z' })
    );
    expect(query(link?.path)).toEqual({ service: 'checkout', environment: 'staging' });
  });

  it('is hidden without an instance, labels, or anything to ask about', () => {
    expect(configureAlertInstanceLink(undefined)).toBeUndefined();
    expect(configureAlertInstanceLink({} as AlertInstanceContext)).toBeUndefined();
    expect(
      configureAlertInstanceLink(alertContext({ labels: { alertname: 'Watchdog' }, activeAt: '0001-01-01T00:00:00Z' }))
    ).toBeUndefined();
  });
});

describe('"Changes in this time range" in a panel menu', () => {
  beforeEach(() => installTemplateSrv([]));

  it("opens the panel's absolute range with the dashboard's service and environment variables", () => {
    installTemplateSrv([
      { name: 'service', value: 'payments' },
      { name: 'environment', value: 'production' },
    ]);
    expect(query(configurePanelLink(panelContext())?.path)).toEqual({
      service: 'payments',
      environment: 'production',
      from: String(Date.parse('2026-11-26T08:00:00Z')),
      to: String(Date.parse('2026-11-26T10:00:00Z')),
    });
  });

  it("turns a relative range into times, and prefers a repeated panel's own value", () => {
    installTemplateSrv([{ name: 'service', value: ['api', 'web'] }]);
    const before = Date.now();
    const link = configurePanelLink(
      panelContext({
        timeRange: { from: 'now-6h', to: 'now' },
        scopedVars: { service: { text: 'web', value: 'web' } },
      })
    );
    const q = query(link?.path);
    expect(q.service).toBe('web');
    // Grafana reads "now" once per end of the range: a millisecond may pass in between.
    expect(Math.abs(Number(q.to) - Number(q.from) - 6 * 3600_000)).toBeLessThan(100);
    expect(Number(q.to)).toBeGreaterThanOrEqual(before);
  });

  it("skips All and multi-value variables, and then reads the place from the data's labels", () => {
    installTemplateSrv([
      { name: 'service', value: '$__all' },
      { name: 'env', value: ['production', 'staging'] },
    ]);
    const link = configurePanelLink(
      panelContext({
        data: seriesWith([
          { job: 'payments', env: 'production', instance: 'a' },
          { job: 'payments', env: 'production', instance: 'b' },
        ]),
      })
    );
    expect(query(link?.path)).toMatchObject({ service: 'payments', environment: 'production' });
    const mixed = configurePanelLink(panelContext({ data: seriesWith([{ job: 'payments' }, { job: 'ledger' }]) }));
    expect(query(mixed?.path).service).toBeUndefined();
  });

  it('is hidden without a context or a usable time range', () => {
    expect(configurePanelLink(undefined)).toBeUndefined();
    expect(configurePanelLink(panelContext({ timeRange: { from: 'garbage', to: 'now' } }))).toBeUndefined();
    expect(
      configurePanelLink(panelContext({ timeRange: { from: '2026-11-26T10:00:00Z', to: '2026-11-26T08:00:00Z' } }))
    ).toBeUndefined();
  });
});

describe("Explore's toolbar link", () => {
  const exploreContext = (over: Partial<ExploreContext> = {}): ExploreContext => ({
    exploreId: 'left',
    targets: [{ refId: 'A' }],
    timeRange: { from: '2026-11-26T08:00:00Z', to: '2026-11-26T09:00:00Z' },
    timeZone: 'utc',
    shouldShowAddCorrelation: false,
    ...over,
  });

  it("opens the explored range, with the place the results' labels share", () => {
    const link = configureExploreLink(exploreContext({ data: seriesWith([{ app: 'payments', env: 'production' }]) }));
    expect(query(link?.path)).toEqual({
      service: 'payments',
      environment: 'production',
      from: String(Date.parse('2026-11-26T08:00:00Z')),
      to: String(Date.parse('2026-11-26T09:00:00Z')),
    });
    expect(query(configureExploreLink(exploreContext())?.path)).toEqual({
      from: String(Date.parse('2026-11-26T08:00:00Z')),
      to: String(Date.parse('2026-11-26T09:00:00Z')),
    });
  });

  it('is hidden without a context or a time range', () => {
    expect(configureExploreLink(undefined)).toBeUndefined();
    expect(configureExploreLink(exploreContext({ timeRange: undefined as never }))).toBeUndefined();
  });
});
