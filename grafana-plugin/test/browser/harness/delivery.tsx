// The shipped Delivery performance dashboard's four keys, as Grafana's stat panel draws them: each
// stat panel of dashboards/delivery.json runs its own targets through the real datasource (the
// dashboard's variables at their defaults), its field config (unit, decimals, the DORA bands as
// thresholds) makes the display value, and @grafana/ui's BigValue renders it.
import React from 'react';
import type { Root } from 'react-dom/client';
import {
  dateTime,
  getActiveThreshold,
  getDisplayProcessor,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type DisplayValue,
  type FieldConfig,
  type GrafanaTheme2,
  type ScopedVars,
  type Threshold,
} from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import {
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  GlobalStyles,
  ThemeContext,
} from '@grafana/ui';
import deliveryDashboard from '../../../../dashboards/delivery.json';
import { ChangesDataSource } from '../../../src/datasource/datasource';
import { ALL_VALUE } from '../../../src/datasource/interpolate';
import type { ChangesOptions } from '../../../src/datasource/types/config';
import type { ChangesQuery } from '../../../src/datasource/types/query';
import { TEST_IDS } from '../../../src/test-ids';

export interface StatShown {
  title: string;
  text: string;
  /** The threshold colour the value falls in: the DORA band. */
  band: string;
}

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  targets: ChangesQuery[];
  fieldConfig: { defaults: FieldConfig };
}

interface DashboardVariable {
  name: string;
  current: { value: string[] };
}

/** The dashboard's variables at their saved values, "All" as the datasource's all-value. */
function dashboardTemplateSrv(variables: DashboardVariable[]): TemplateSrv {
  const values = new Map(variables.map((v) => [v.name, v.current.value.map((x) => (x === '$__all' ? ALL_VALUE : x))]));
  return {
    getVariables: () => [],
    replace: (target?: string, _scoped?: ScopedVars, format?: unknown) => {
      const name = /^\$\{?(\w+)\}?$/.exec(target ?? '')?.[1];
      const value = name ? values.get(name) : undefined;
      if (!value) {
        return target ?? '';
      }
      return typeof format === 'function' ? (format as (v: string[]) => string)(value) : value.join(',');
    },
    containsTemplate: () => false,
    updateTimeRange: () => undefined,
  } as Partial<TemplateSrv> as TemplateSrv;
}

function display(frames: DataFrame[], config: FieldConfig, theme: GrafanaTheme2): DisplayValue & { band: string } {
  const field = frames[0]?.fields.find((f) => f.type === 'number');
  const value = field?.values[0] as number | null | undefined;
  const merged: FieldConfig = { ...field?.config, ...config };
  const processor = getDisplayProcessor({ field: { ...field, config: merged }, theme, timeZone: 'utc' });
  const shown = processor(value ?? null);
  const steps = (merged.thresholds?.steps ?? []) as Threshold[];
  const band = value === null || value === undefined ? 'none' : getActiveThreshold(value, steps).color;
  return { ...shown, band };
}

export async function renderDeliveryDashboard(
  root: Root,
  settings: DataSourceInstanceSettings<ChangesOptions>,
  theme: GrafanaTheme2,
  range: { from: number; to: number }
): Promise<StatShown[]> {
  const dashboard = deliveryDashboard as unknown as {
    panels: DashboardPanel[];
    templating: { list: DashboardVariable[] };
  };
  const ds = new ChangesDataSource(settings, dashboardTemplateSrv(dashboard.templating.list));
  const stats = dashboard.panels.filter((p) => p.type === 'stat');
  const timeRange = {
    from: dateTime(range.from),
    to: dateTime(range.to),
    raw: { from: dateTime(range.from), to: dateTime(range.to) },
  };
  const shown = await Promise.all(
    stats.map(async (panel) => {
      const request: DataQueryRequest<ChangesQuery> = {
        requestId: `delivery-${panel.id}`,
        interval: '1d',
        intervalMs: 86_400_000,
        range: timeRange,
        scopedVars: {},
        targets: panel.targets,
        timezone: 'utc',
        app: 'dashboard',
        startTime: Date.now(),
      };
      const { data } = await ds.query(request);
      return { panel, value: display(data as DataFrame[], panel.fieldConfig.defaults, theme) };
    })
  );
  root.render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div style={{ display: 'flex', gap: 8, padding: 16, background: theme.colors.background.canvas }}>
        {shown.map(({ panel, value }) => (
          <div
            key={panel.id}
            data-testid={TEST_IDS.delivery.stat}
            aria-label={panel.title}
            data-band={value.band}
            style={{ background: theme.colors.background.primary, padding: 8, width: 240 }}
          >
            <div style={{ color: theme.colors.text.secondary, marginBottom: 4 }}>{panel.title}</div>
            <BigValue
              theme={theme}
              value={value}
              width={224}
              height={110}
              colorMode={BigValueColorMode.Background}
              graphMode={BigValueGraphMode.None}
              justifyMode={BigValueJustifyMode.Center}
              textMode={BigValueTextMode.Value}
            />
          </div>
        ))}
      </div>
    </ThemeContext.Provider>
  );
  return shown.map(({ panel, value }) => ({
    title: panel.title,
    text: `${value.prefix ?? ''}${value.text}${value.suffix ?? ''}`,
    band: value.band,
  }));
}
