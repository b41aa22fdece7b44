// Grafana's data proxy, as far as this plugin uses it: a request to
// `<proxy base>/<route path>/<rest>` goes to the route's URL (`{{ .URL }}` = the datasource URL)
// plus <rest>, with the route's headers (`{{ .SecureJsonData.apiToken }}` filled in).
// Reads the routes from a plugin.json, so a wrong route breaks the tests.

export interface PluginRoute {
  path: string;
  url?: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface ProxiedDatasource {
  /** What Grafana gives the frontend as `instanceSettings.url`. */
  proxyBase: string;
  /** The datasource's configured URL (the collector). */
  url: string;
  secureJsonData: Record<string, string>;
  jsonData?: Record<string, unknown>;
}

const interpolate = (template: string, ds: ProxiedDatasource): string =>
  template.replace(
    /\{\{\s*\.(URL|SecureJsonData\.(\w+)|JsonData\.(\w+))\s*\}\}/g,
    (_, what: string, secure?: string, json?: string) => {
      if (what === 'URL') {
        return ds.url;
      }
      if (secure) {
        return ds.secureJsonData[secure] ?? '';
      }
      return String(ds.jsonData?.[json ?? ''] ?? '');
    }
  );

/** Where the proxy sends a request, and with which headers; undefined when no route matches. */
export function proxyRequest(
  routes: PluginRoute[],
  ds: ProxiedDatasource,
  requestUrl: string
): { url: string; headers: Record<string, string> } | undefined {
  if (!requestUrl.startsWith(`${ds.proxyBase}/`)) {
    return undefined;
  }
  const proxyPath = requestUrl.slice(ds.proxyBase.length + 1);
  const route = routes.find(
    (r) => proxyPath === r.path || proxyPath.startsWith(`${r.path}/`) || proxyPath.startsWith(`${r.path}?`)
  );
  if (!route) {
    return undefined;
  }
  const rest = proxyPath.slice(route.path.length);
  const base = interpolate(route.url ?? ds.url, ds).replace(/\/$/, '');
  const headers = Object.fromEntries((route.headers ?? []).map((h) => [h.name, interpolate(h.content, ds)]));
  return { url: `${base}${rest.startsWith('/') || rest.startsWith('?') || rest === '' ? rest : `/${rest}`}`, headers };
}
