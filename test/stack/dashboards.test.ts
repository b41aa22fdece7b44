// dashboards/ as Grafana would load them: stable uids, the PainChain datasource by uid
// `painchain`, only panel and datasource types that exist, variables from the datasource's
// variable support, per-kind-family change overlays with their colours, and Prometheus panels on
// metric names and labels the collector really exports.
import { Metrics } from '../../collector/src/telemetry/metrics.js';
import {
  annotationsOf,
  DASHBOARD_UIDS,
  dashboardFiles,
  datasourceRefs,
  loadDashboard,
  panelsOf,
  stringsIn,
  variableReferences,
  variablesOf,
} from './dashboard-files.js';
import {
  asObject,
  builtPlugin,
  CORE_PANEL_TYPES,
  isObject,
  OTHER_DATASOURCE_TYPES,
  PLUGIN_IDS,
  type Json,
  type JsonObject,
} from './stack-files.js';

const PAINCHAIN = { type: PLUGIN_IDS.datasource, uid: 'painchain' };
const FILTER_VARIABLES = ['connector', 'project', 'service', 'environment', 'kind'];

/** The overlay families of the service overview: one annotation query each, one colour each. */
const FAMILIES: Record<string, { iconColor: string; kinds: string[] }> = {
  Deploys: { iconColor: 'red', kinds: ['deploy', 'rollback'] },
  Pipelines: { iconColor: 'blue', kinds: ['pipeline'] },
  Config: { iconColor: 'orange', kinds: ['config', 'feature_flag', 'scale', 'infra'] },
  Alerts: { iconColor: 'purple', kinds: ['alert', 'incident'] },
};

const painchainTargets = (dashboard: JsonObject): JsonObject[] =>
  panelsOf(dashboard).flatMap((p) =>
    ((p.targets ?? []) as JsonObject[]).filter(
      (t) =>
        asObject(t.datasource ?? p.datasource ?? {}, 'datasource').type === PLUGIN_IDS.datasource,
    ),
  );

describe.each(dashboardFiles())('dashboards/%s', (file) => {
  const dashboard = loadDashboard(file);

  test('has its stable uid, a title, a schema version, unique panel ids and panels inside the 24-column grid', () => {
    expect(dashboard.uid).toBe(DASHBOARD_UIDS[file]);
    expect(typeof dashboard.title).toBe('string');
    expect(dashboard.schemaVersion).toEqual(expect.any(Number));
    expect(dashboard.id ?? null).toBeNull();
    const panels = panelsOf(dashboard);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const { x, y, w, h } = asObject(p.gridPos, `panel ${String(p.id)} gridPos`) as Record<
        string,
        number
      >;
      expect({ id: p.id, inside: x! >= 0 && w! > 0 && x! + w! <= 24 && y! >= 0 && h! > 0 }).toEqual(
        { id: p.id, inside: true },
      );
      for (let cx = x!; cx < x! + w!; cx += 1) {
        for (let cy = y!; cy < y! + h!; cy += 1) {
          expect({ id: p.id, overlaps: cells.has(`${cx},${cy}`) }).toEqual({
            id: p.id,
            overlaps: false,
          });
          cells.add(`${cx},${cy}`);
        }
      }
    }
  });

  test('names only panel types that exist: Grafana core panels and our timeline panel', () => {
    const panelPlugin = builtPlugin('panel');
    expect(panelPlugin.id).toBe(PLUGIN_IDS.panel);
    for (const p of panelsOf(dashboard)) {
      const type = String(p.type);
      expect({
        panel: p.id,
        type,
        exists: CORE_PANEL_TYPES.has(type) || type === panelPlugin.id,
      }).toEqual({
        panel: p.id,
        type,
        exists: true,
      });
    }
  });

  test('names only datasource types that exist, and the PainChain datasource by uid painchain', () => {
    const ours = builtPlugin('datasource').id;
    expect(ours).toBe(PLUGIN_IDS.datasource);
    const datasourceVariables = new Map(
      variablesOf(dashboard)
        .filter((v) => v.type === 'datasource')
        .map((v) => [String(v.name), String(v.query)]),
    );
    const refs = datasourceRefs(dashboard);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect({
        ...ref,
        known: ref.type === ours || OTHER_DATASOURCE_TYPES.has(ref.type ?? ''),
      }).toEqual({ ...ref, known: true });
      if (ref.type === ours) expect(ref).toEqual({ path: ref.path, ...PAINCHAIN });
      if (ref.type === 'prometheus') {
        // Any Prometheus of the user's: chosen by a datasource variable of type prometheus.
        const name = /^\$\{(\w+)\}$/.exec(ref.uid ?? '')?.[1];
        expect({ path: ref.path, variable: name && datasourceVariables.get(name) }).toEqual({
          path: ref.path,
          variable: 'prometheus',
        });
      }
    }
  });

  test('refers only to variables it defines', () => {
    const defined = new Set(variablesOf(dashboard).map((v) => String(v.name)));
    const parts: Json[] = [
      ...panelsOf(dashboard).map((p) => ({
        title: p.title ?? '',
        targets: p.targets ?? [],
        options: p.options ?? {},
      })),
      ...annotationsOf(dashboard).map((a) => a.target ?? {}),
      ...variablesOf(dashboard).map((v) => v.query ?? ''),
    ];
    for (const text of parts.flatMap(stringsIn)) {
      for (const name of variableReferences(text))
        expect({ text, defined: defined.has(name) }).toEqual({ text, defined: true });
    }
  });

  test("its PainChain variables come from the datasource's variable support (facets of one field)", () => {
    for (const v of variablesOf(dashboard).filter(
      (v) => isObject(v.datasource) && v.datasource.type === PLUGIN_IDS.datasource,
    )) {
      expect(v.type).toBe('query');
      const query = asObject(v.query, `variable ${String(v.name)} query`);
      expect(query.field).toBe(v.name);
      expect(v).toMatchObject({ multi: true, includeAll: true });
    }
  });
});

describe('dashboards/changes.json', () => {
  const dashboard = loadDashboard('changes.json');

  test('has the timeline, a table of changes, and counts by kind and by connector over time', () => {
    const panels = panelsOf(dashboard);
    const types = panels.map((p) => p.type);
    expect(types).toContain(PLUGIN_IDS.panel);
    expect(types).toContain('table');
    for (const by of ['kind', 'connector']) {
      const counts = panels.find((p) =>
        ((p.transformations ?? []) as JsonObject[]).some(
          (t) => t.id === 'groupingToMatrix' && asObject(t.options, 'options').columnField === by,
        ),
      );
      expect({ by, found: counts?.type }).toEqual({ by, found: 'barchart' });
    }
  });

  test('offers connector, project, service, environment and kind, and every PainChain query uses them all', () => {
    const names = variablesOf(dashboard).map((v) => v.name);
    for (const name of FILTER_VARIABLES) expect(names).toContain(name);
    const targets = painchainTargets(dashboard);
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const t of targets) {
      for (const name of FILTER_VARIABLES)
        expect({ refId: t.refId, [name]: t[name] }).toEqual({
          refId: t.refId,
          [name]: [`$${name}`],
        });
    }
  });
});

describe('dashboards/service-overview.json', () => {
  const dashboard = loadDashboard('service-overview.json');
  const overlays = annotationsOf(dashboard).filter(
    (a) => isObject(a.datasource) && a.datasource.type === PLUGIN_IDS.datasource,
  );

  test('overlays changes with one annotation query per kind family, each in its colour, filtered by $service', () => {
    for (const [name, family] of Object.entries(FAMILIES)) {
      const query = overlays.find((a) => a.name === name);
      expect({
        name,
        query: query && { iconColor: query.iconColor, enable: query.enable },
      }).toEqual({
        name,
        query: { iconColor: family.iconColor, enable: true },
      });
      const target = asObject(query!.target, `${name} target`);
      expect([...(target.kind as string[])].sort()).toEqual([...family.kinds].sort());
      expect(target.service).toEqual(['$service']);
    }
    // A kind belongs to one family at most, so a change is never drawn twice.
    const kinds = overlays.flatMap((a) => asObject(a.target, 'target').kind as string[]);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  test("graphs the collector's own metrics: every metric and label a query names is exported by the collector", () => {
    const registry = new Metrics().registry;
    const labelsOf = new Map<string, Set<string>>();
    for (const metric of registry.getMetricsAsArray()) {
      const m = metric as unknown as {
        name: string;
        labelNames?: readonly string[];
        constructor: { name: string };
      };
      const labels = new Set(m.labelNames ?? []);
      labelsOf.set(m.name, labels);
      if (m.constructor.name === 'Histogram') {
        labelsOf.set(`${m.name}_bucket`, new Set([...labels, 'le']));
        labelsOf.set(`${m.name}_sum`, labels);
        labelsOf.set(`${m.name}_count`, labels);
      }
    }
    const exprs = panelsOf(dashboard).flatMap((p) =>
      ((p.targets ?? []) as JsonObject[])
        .filter((t) => typeof t.expr === 'string')
        .map((t) => String(t.expr)),
    );
    expect(exprs.length).toBeGreaterThanOrEqual(5);
    const metricsUsed = new Set<string>();
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\b(painchain_[a-z0-9_]+)/g)].map((m) => m[1]!);
      expect({ expr, metrics: names.length > 0 }).toEqual({ expr, metrics: true });
      const labels = new Set<string>();
      for (const m of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g))
        m[1]!.split(',').forEach((l) => labels.add(l.trim()));
      for (const m of expr.matchAll(/\{([^}]*)\}/g)) {
        for (const matcher of m[1]!.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g))
          labels.add(matcher[1]!);
      }
      for (const name of names) {
        metricsUsed.add(name);
        expect({ expr, metric: name, exported: labelsOf.has(name) }).toEqual({
          expr,
          metric: name,
          exported: true,
        });
        // Prometheus adds job and instance to every scraped series.
        const known = new Set([...labelsOf.get(name)!, 'job', 'instance']);
        for (const label of labels) {
          if (label === '') continue;
          const onSomeMetric = names.some((n) => labelsOf.get(n)?.has(label)) || known.has(label);
          expect({ expr, label, exported: onSomeMetric }).toEqual({ expr, label, exported: true });
        }
      }
    }
    // Request rate, latency and ingest rate are all there.
    for (const needed of [
      'painchain_http_requests_total',
      'painchain_http_request_duration_seconds_bucket',
      'painchain_events_ingested_total',
    ]) {
      expect(metricsUsed).toContain(needed);
    }
  });
});

describe('dashboards/delivery.json', () => {
  const dashboard = loadDashboard('delivery.json');
  const panels = panelsOf(dashboard);
  /**
   * The bands of the 2023 Accelerate State of DevOps Report, written out from the report: where
   * each colour starts (deploys per day, seconds, a share). Frequency rises, the others fall.
   */
  const BANDS_2023: Record<string, { figure: string; steps: [string, number | null][] }> = {
    'Deployment frequency': {
      figure: 'deploysPerDay',
      // less than monthly · weekly to monthly (1/30) · daily to weekly (1/7) · on demand (1 a day)
      steps: [
        ['red', null],
        ['orange', 0.0333],
        ['blue', 0.1429],
        ['green', 1],
      ],
    },
    'Lead time for changes': {
      figure: 'leadTimeMedian',
      // under a day · a day to a week · a week to a month · beyond a month
      steps: [
        ['green', null],
        ['blue', 86_400],
        ['orange', 7 * 86_400],
        ['red', 30 * 86_400],
      ],
    },
    'Change failure rate': {
      figure: 'changeFailureRate',
      // elite 5 %, high 10 %, medium 15 %, low 64 %
      steps: [
        ['green', null],
        ['blue', 0.05],
        ['orange', 0.1],
        ['red', 0.15],
      ],
    },
    'Time to restore': {
      figure: 'timeToRestoreMedian',
      // under an hour · under a day · a day to a week · beyond
      steps: [
        ['green', null],
        ['blue', 3600],
        ['orange', 86_400],
        ['red', 7 * 86_400],
      ],
    },
  };
  const stepsOf = (thresholds: Json | undefined) =>
    (asObject(thresholds ?? {}, 'thresholds').steps as JsonObject[]).map((s) => [s.color, s.value]);

  test('every PainChain query is a delivery query of $service in $environment', () => {
    const targets = painchainTargets(dashboard);
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const t of targets)
      expect({
        refId: t.refId,
        queryType: t.queryType,
        service: t.service,
        environment: t.environment,
      }).toEqual({
        refId: t.refId,
        queryType: 'delivery',
        service: ['$service'],
        environment: ['$environment'],
      });
    const environment = variablesOf(dashboard).find((v) => v.name === 'environment')!;
    expect(asObject(environment.current, 'current').value).toEqual(['production']);
  });

  test.each(Object.entries(BANDS_2023))(
    '%s: a stat over the range and a trend, both with the 2023 DORA bands as thresholds and the definitions in the description',
    (title, { figure, steps }) => {
      const stat = panels.find((p) => p.type === 'stat' && p.title === title);
      const trend = panels.find(
        (p) => p.type === 'timeseries' && String(p.title).startsWith(title),
      );
      for (const [panel, format] of [
        [stat, 'summary'],
        [trend, 'timeseries'],
      ] as const) {
        expect(panel).toBeDefined();
        const target = (panel!.targets as JsonObject[])[0]!;
        expect(target.delivery).toMatchObject({ format, groupBy: 'total', figures: [figure] });
        const defaults = asObject(asObject(panel!.fieldConfig, 'fieldConfig').defaults, 'defaults');
        expect(stepsOf(defaults.thresholds)).toEqual(steps);
        const description = String(panel!.description);
        expect(description).toContain('2023 Accelerate State of DevOps Report');
        for (const band of ['elite', 'high', 'medium', 'low'])
          expect(description).toContain(`${band}:`);
      }
      const custom = asObject(
        asObject(asObject(trend!.fieldConfig, 'fieldConfig').defaults, 'defaults').custom,
        'custom',
      );
      expect(custom.thresholdsStyle).toEqual({ mode: 'area' });
    },
  );

  test('a table per service with the same bands, and the deploys behind the numbers', () => {
    const tables = panels.filter((p) => p.type === 'table');
    const perService = tables.find(
      (t) => asObject((t.targets as JsonObject[])[0]!.delivery, 'delivery').groupBy === 'service',
    )!;
    expect(asObject((perService.targets as JsonObject[])[0]!.delivery, 'delivery').format).toBe(
      'summary',
    );
    const overrides = asObject(perService.fieldConfig, 'fieldConfig').overrides as JsonObject[];
    expect(overrides.map((o) => asObject(o.matcher, 'matcher').options)).toEqual([
      'Deploys per day',
      'Lead time (median)',
      'Change failure rate',
      'Time to restore (median)',
    ]);
    for (const [i, band] of Object.values(BANDS_2023).entries()) {
      const thresholds = (overrides[i]!.properties as JsonObject[]).find(
        (p) => p.id === 'thresholds',
      );
      expect(stepsOf(thresholds?.value)).toEqual(band.steps);
    }
    const behind = tables.find(
      (t) => asObject((t.targets as JsonObject[])[0]!.delivery, 'delivery').format === 'changes',
    );
    expect(behind?.title).toBe('The deploys behind the numbers');
  });
});
