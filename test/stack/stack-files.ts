// The stack's files as the tools that read them see them: YAML and JSON parsed, the built Grafana
// plugin's plugin.json files, and the plugin ids everything must agree on.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root, with a trailing separator. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);
export const readText = (file: string): string => readFileSync(repoPath(file), 'utf8');
export const readYaml = (file: string): unknown => parse(readText(file));
export const readJson = (file: string): unknown => JSON.parse(readText(file));

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object, or a failure that names where it was expected. */
export function asObject(value: unknown, where: string): JsonObject {
  if (!isObject(value))
    throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

/** The ids the compose file, the provisioning files and the dashboards use. */
export const PLUGIN_IDS = {
  app: 'painchain-app',
  datasource: 'painchain-changes-datasource',
  panel: 'painchain-timeline-panel',
} as const;

/** The app plugin's build output: what Grafana loads from its plugins folder. */
export const PLUGIN_DIST = 'grafana-plugin/dist';

export interface BuiltPlugin {
  id: string;
  type: string;
  /** plugin.json's path, relative to the repository root. */
  file: string;
  json: JsonObject;
}

function findPluginJsons(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : findPluginJsons(path);
    return name === 'plugin.json' ? [path] : [];
  });
}

/**
 * Every plugin.json under grafana-plugin/dist, the way Grafana discovers an app's nested plugins.
 * Fails with what to do when the plugin has not been built yet.
 */
export function builtPlugins(): BuiltPlugin[] {
  const app = repoPath(PLUGIN_DIST, 'plugin.json');
  if (!existsSync(app)) {
    throw new Error(
      `The Grafana plugin is not built: ${PLUGIN_DIST}/plugin.json is missing. Run \`npm run build\` ` +
        '(it builds grafana-plugin/dist); docker-compose.yml mounts that folder into Grafana.',
    );
  }
  return findPluginJsons(repoPath(PLUGIN_DIST)).map((path) => {
    const json = asObject(JSON.parse(readFileSync(path, 'utf8')), path);
    return {
      id: String(json.id),
      type: String(json.type),
      file: relative(ROOT, path),
      json,
    };
  });
}

/** The built plugin of one type (app, datasource or panel); fails if there is not exactly one. */
export function builtPlugin(type: 'app' | 'datasource' | 'panel'): BuiltPlugin {
  const found = builtPlugins().filter((p) => p.type === type);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} plugin in ${PLUGIN_DIST}, found ${found.map((p) => p.file).join(', ') || 'none'}`,
    );
  }
  return found[0]!;
}

/**
 * Grafana's built-in panel types (the plugin ids under public/app/plugins/panel in Grafana 12 and
 * 13, and `row`). A dashboard may name these, our own panel, and nothing else.
 */
export const CORE_PANEL_TYPES = new Set([
  'alertlist',
  'annolist',
  'barchart',
  'bargauge',
  'candlestick',
  'canvas',
  'dashlist',
  'datagrid',
  'flamegraph',
  'gauge',
  'geomap',
  'gettingstarted',
  'heatmap',
  'histogram',
  'logs',
  'news',
  'nodeGraph',
  'piechart',
  'row',
  'stat',
  'state-timeline',
  'status-history',
  'table',
  'text',
  'timeseries',
  'traces',
  'trend',
  'welcome',
  'xychart',
]);

/**
 * Datasource types a dashboard may name besides ours: Grafana's built-in annotation source and
 * Prometheus (a core datasource, the one the compose stack runs).
 */
export const OTHER_DATASOURCE_TYPES = new Set(['grafana', 'prometheus']);
