// The links PainChain adds to Grafana's own UI, so that the drilldown starts where the on-call
// engineer already is: an alert instance, a dashboard panel's menu, the Explore toolbar. Each
// `configure` reads the context Grafana passes and hides the link when it lacks what the link
// needs (an alert without labels or start, a panel without a time range).
import {
  PluginExtensionPoints,
  rangeUtil,
  type DataFrame,
  type PanelData,
  type PluginExtensionAddedLinkConfig,
  type PluginExtensionPanelContext,
  type RawTimeRange,
  type ScopedVars,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import type { DataQuery, TimeZone } from '@grafana/schema';
import { placeFromLabels, type Place } from '../shared/alert-labels';
import { INVESTIGATE_PATH, investigatePath } from '../shared/investigate-url';

/**
 * What Grafana passes at `grafana/alerting/instance/action` (its core type
 * PluginExtensionAlertInstanceContext, not exported by @grafana/data): the instance's labels,
 * annotations, state and when it became active, and the rule.
 */
export interface AlertInstanceContext {
  instance: {
    activeAt: string;
    annotations: Record<string, string>;
    labels: Record<string, string>;
    state: string;
    value: string;
  };
  rule?: {
    name: string;
    query: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    uid?: string;
  };
}

/** What Grafana passes at `grafana/explore/toolbar/action` (its core type PluginExtensionExploreContext). */
export interface ExploreContext {
  exploreId: string;
  targets: DataQuery[];
  data?: PanelData;
  timeRange: RawTimeRange;
  timeZone: TimeZone;
  shouldShowAddCorrelation: boolean;
}

type LinkUpdate = { path: string } | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringLabels = (v: unknown): Record<string, string> | undefined =>
  isRecord(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : undefined;

/** Prometheus and Grafana write "not active" as Go's zero time. */
function activeAt(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.startsWith('0001-01-01')) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const hasPlace = (p: Place) => Boolean(p.service || p.environment || p.project);

/** "Recent changes" on an alert instance: Investigate with its labels' place and its start. */
export function configureAlertInstanceLink(context: Readonly<AlertInstanceContext> | undefined): LinkUpdate {
  const instance = isRecord(context) && isRecord(context.instance) ? context.instance : undefined;
  const labels = stringLabels(instance?.labels);
  if (!instance || !labels) {
    return undefined;
  }
  const place = placeFromLabels(labels);
  const at = activeAt(instance.activeAt);
  if (!hasPlace(place) && at === undefined) {
    return undefined;
  }
  return { path: investigatePath({ ...place, at }) };
}

/** Absolute bounds of a raw range ("now-6h" → epoch ms), in the viewer's time zone. */
function absolute(
  raw: RawTimeRange | undefined,
  timeZone: TimeZone | undefined
): { from: number; to: number } | undefined {
  if (!raw || raw.from === undefined || raw.to === undefined) {
    return undefined;
  }
  try {
    const range = rangeUtil.convertRawToRange(raw, timeZone);
    const from = range.from.valueOf();
    const to = range.to.valueOf();
    return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : undefined;
  } catch {
    return undefined;
  }
}

/** A label every series of the data carries with one value: the panel shows that place. */
export function commonLabels(series: DataFrame[] | undefined): Record<string, string> {
  const sets = (series ?? []).flatMap((frame) => frame.fields.map((f) => f.labels).filter(isRecord));
  if (sets.length === 0) {
    return {};
  }
  const [first, ...rest] = sets as Array<Record<string, string>>;
  return Object.fromEntries(Object.entries(first!).filter(([name, value]) => rest.every((s) => s[name] === value)));
}

const ALL_VALUES = new Set(['*', '$__all', 'All', '']);

/** A dashboard variable's single value (scoped first, then the dashboard's); none for All or several. */
function variable(name: string, scopedVars: ScopedVars | undefined): string | undefined {
  const scoped = scopedVars?.[name]?.value;
  let value: unknown = scoped;
  if (value === undefined) {
    try {
      const templateSrv = getTemplateSrv();
      if (!templateSrv?.getVariables().some((v) => v.name === name)) {
        return undefined;
      }
      value = templateSrv.replace(`\${${name}}`, scopedVars, (v: string | string[]) =>
        Array.isArray(v) ? (v.length === 1 ? v[0] : '') : v
      );
    } catch {
      return undefined;
    }
  }
  const single = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  return typeof single === 'string' && !ALL_VALUES.has(single) && !single.startsWith('$') ? single : undefined;
}

/** "Changes in this time range" in a panel's menu: the panel's range, the dashboard's service and environment. */
export function configurePanelLink(context: Readonly<PluginExtensionPanelContext> | undefined): LinkUpdate {
  if (!context) {
    return undefined;
  }
  const range = absolute(context.timeRange, context.timeZone);
  if (!range) {
    return undefined;
  }
  const fromData = placeFromLabels(commonLabels(context.data?.series));
  return {
    path: investigatePath({
      ...range,
      service: variable('service', context.scopedVars) ?? fromData.service,
      environment:
        variable('environment', context.scopedVars) ?? variable('env', context.scopedVars) ?? fromData.environment,
    }),
  };
}

/** The same from Explore's toolbar: its range, and the place its results' labels share. */
export function configureExploreLink(context: Readonly<ExploreContext> | undefined): LinkUpdate {
  if (!context) {
    return undefined;
  }
  const range = absolute(context.timeRange, context.timeZone);
  if (!range) {
    return undefined;
  }
  const place = placeFromLabels(commonLabels(context.data?.series));
  return { path: investigatePath({ ...range, service: place.service, environment: place.environment }) };
}

/** Registered by the app (module.ts) and declared in plugin.json `extensions.addedLinks`. */
export const alertInstanceLink: PluginExtensionAddedLinkConfig<AlertInstanceContext> = {
  title: 'Recent changes',
  description: 'PainChain: the changes that may explain this alert, ranked, with their chains',
  targets: [PluginExtensionPoints.AlertInstanceAction],
  icon: 'history',
  path: INVESTIGATE_PATH,
  configure: configureAlertInstanceLink,
};

export const panelLink: PluginExtensionAddedLinkConfig<PluginExtensionPanelContext> = {
  title: 'Changes in this time range',
  description: "PainChain: the changes behind this panel's time range, ranked, with their chains",
  targets: [PluginExtensionPoints.DashboardPanelMenu],
  icon: 'history',
  path: INVESTIGATE_PATH,
  configure: configurePanelLink,
};

export const exploreLink: PluginExtensionAddedLinkConfig<ExploreContext> = {
  title: 'Changes in this time range',
  description: 'PainChain: the changes in the time range you are exploring, ranked, with their chains',
  targets: [PluginExtensionPoints.ExploreToolbarAction],
  icon: 'history',
  path: INVESTIGATE_PATH,
  configure: configureExploreLink,
};

export const EXTENSION_LINKS = [alertInstanceLink, panelLink, exploreLink] as const;
