// What Grafana provides a plugin at run time, for tests without a Grafana server: a backend
// service whose fetch goes through the data proxy (support/data-proxy.ts) to a live collector,
// and a template service with dashboard variables. Used by the jsdom tests.
import http from 'node:http';
import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import {
  setBackendSrv,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
  type TemplateSrv,
} from '@grafana/runtime';
import { Observable } from 'rxjs';
import { proxyRequest, type PluginRoute, type ProxiedDatasource } from './data-proxy';

interface RawAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}

function get(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
          body,
        })
      );
    });
    req.on('error', reject);
  });
}

/** Requests the backend service received, as the datasource made them (before the proxy). */
export const requestLog: string[] = [];

/** Installs a BackendSrv whose fetch is Grafana's data proxy in front of `ds.url`. */
export function installBackendSrv(routes: PluginRoute[], ds: ProxiedDatasource): void {
  const fetch = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      requestLog.push(options.url);
      const target = proxyRequest(routes, ds, options.url);
      if (!target) {
        subscriber.error({
          status: 404,
          statusText: 'Not Found',
          data: { message: `no proxy route for ${options.url}` },
          config: options,
        });
        return;
      }
      get(target.url, target.headers).then(
        (answer) => {
          const data = (answer.headers['content-type'] ?? '').includes('json')
            ? (JSON.parse(answer.body) as T)
            : (answer.body as T);
          const response: FetchResponse<T> = {
            data,
            status: answer.status,
            statusText: answer.statusText,
            ok: answer.status < 400,
            headers: new Headers(answer.headers),
            redirected: false,
            type: 'basic',
            url: options.url,
            config: options,
          };
          if (response.ok) {
            subscriber.next(response);
            subscriber.complete();
          } else {
            // The shape of Grafana's FetchError.
            subscriber.error({ status: answer.status, statusText: answer.statusText, data, config: options });
          }
        },
        (err: unknown) =>
          subscriber.error({ status: 502, statusText: 'Bad Gateway', data: { message: String(err) }, config: options })
      );
    });
  setBackendSrv({ fetch } as Partial<BackendSrv> as BackendSrv);
}

export interface TestVariable {
  name: string;
  value: string | string[];
}

/** Grafana's variable syntaxes ($name, ${name}, [[name]]) with the format function it passes. */
export function installTemplateSrv(variables: TestVariable[]): TemplateSrv {
  const byName = new Map(variables.map((v) => [v.name, v.value]));
  const templateSrv: Partial<TemplateSrv> = {
    getVariables: () => variables.map((v) => ({ name: v.name, type: 'custom' }) as TypedVariableModel),
    replace(target?: string, scopedVars?: ScopedVars, format?: string | Function): string {
      if (!target) {
        return '';
      }
      return target.replace(/\$(\w+)|\$\{(\w+)\}|\[\[(\w+)\]\]/g, (match, a?: string, b?: string, c?: string) => {
        const name = a ?? b ?? c ?? '';
        const scoped = scopedVars?.[name]?.value as string | string[] | undefined;
        const value = scoped ?? byName.get(name);
        if (value === undefined) {
          return match;
        }
        if (typeof format === 'function') {
          return String(format(value));
        }
        return Array.isArray(value) ? `{${value.join(',')}}` : value;
      });
    },
    containsTemplate: (target?: string) => Boolean(target && /\$\w+|\$\{\w+\}|\[\[\w+\]\]/.test(target)),
    updateTimeRange: () => undefined,
  };
  setTemplateSrv(templateSrv as TemplateSrv);
  return templateSrv as TemplateSrv;
}
