// The shipped dashboards, and walks over the parts of a dashboard JSON the checks look at.
import { readdirSync } from 'node:fs';
import {
  asObject,
  isObject,
  readJson,
  repoPath,
  type Json,
  type JsonObject,
} from './stack-files.js';

/** Every dashboard we ship, with the uid its URL depends on: a changed uid breaks bookmarks. */
export const DASHBOARD_UIDS: Record<string, string> = {
  'changes.json': 'painchain-changes',
  'delivery.json': 'painchain-delivery',
  'service-overview.json': 'painchain-service-overview',
};

export const dashboardFiles = (): string[] =>
  readdirSync(repoPath('dashboards'))
    .filter((f) => f.endsWith('.json'))
    .sort();

export const loadDashboard = (file: string): JsonObject =>
  asObject(readJson(`dashboards/${file}`), `dashboards/${file}`);

/** Panels, including those inside rows. */
export function panelsOf(dashboard: JsonObject): JsonObject[] {
  return ((dashboard.panels ?? []) as JsonObject[]).flatMap((p) =>
    p.type === 'row' ? [p, ...((p.panels ?? []) as JsonObject[])] : [p],
  );
}

export const variablesOf = (dashboard: JsonObject): JsonObject[] =>
  (asObject(dashboard.templating ?? {}, 'templating').list ?? []) as JsonObject[];

export const annotationsOf = (dashboard: JsonObject): JsonObject[] =>
  (asObject(dashboard.annotations ?? {}, 'annotations').list ?? []) as JsonObject[];

export interface DatasourceRef {
  /** Where in the dashboard, for messages. */
  path: string;
  type?: string;
  uid?: string;
}

/** Every `datasource` reference: panels, their targets, variables and annotations. */
export function datasourceRefs(dashboard: JsonObject): DatasourceRef[] {
  const refs: DatasourceRef[] = [];
  const add = (path: string, value: Json | undefined) => {
    if (value === undefined || value === null) return;
    const ref = asObject(value, `${path}.datasource`);
    refs.push({
      path,
      type: typeof ref.type === 'string' ? ref.type : undefined,
      uid: typeof ref.uid === 'string' ? ref.uid : undefined,
    });
  };
  for (const p of panelsOf(dashboard)) {
    const where = `panel ${String(p.id)} (${String(p.title)})`;
    add(where, p.datasource);
    for (const t of (p.targets ?? []) as JsonObject[])
      add(`${where} target ${String(t.refId)}`, t.datasource);
  }
  for (const v of variablesOf(dashboard)) add(`variable ${String(v.name)}`, v.datasource);
  for (const a of annotationsOf(dashboard)) {
    add(`annotation ${String(a.name)}`, a.datasource);
    if (isObject(a.target)) add(`annotation ${String(a.name)} target`, a.target.datasource);
  }
  return refs;
}

/**
 * The variable names a string refers to ($name, ${name}, ${name:format}, [[name]]), without
 * Grafana's global variables ($__interval, $__rate_interval, $__all, …).
 */
export function variableReferences(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(
    /\$(?:\{([A-Za-z0-9_]+)(?::[^}]*)?\}|([A-Za-z0-9_]+))|\[\[([A-Za-z0-9_]+)\]\]/g,
  )) {
    const name = m[1] ?? m[2] ?? m[3]!;
    if (!name.startsWith('__')) names.push(name);
  }
  return names;
}

/** Every string in a JSON value. */
export function stringsIn(value: Json): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isObject(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}
