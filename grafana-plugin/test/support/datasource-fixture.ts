// A real ChangesDataSource wired as Grafana would wire it, against the live collector of the
// jest global setup (test/jest/global-setup.mjs).
import type { DataSourceInstanceSettings } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import pluginJson from '../../src/datasource/plugin.json';
import { ChangesDataSource } from '../../src/datasource/datasource';
import type { ChangesOptions } from '../../src/datasource/types/config';
import { installBackendSrv, installTemplateSrv, type TestVariable } from './grafana-services';
import type { PluginRoute } from './data-proxy';

export const PROXY_BASE = '/api/datasources/proxy/uid/painchain';
export const READ_TOKEN = 'painchain-plugin-test-read-token';

export function collectorUrl(): string {
  const url = process.env.PAINCHAIN_TEST_COLLECTOR_URL;
  if (!url) {
    throw new Error('no live collector: the grafana-plugin jest project starts one in its global setup');
  }
  return url;
}

/** When the sample events were loaded (their times are relative to it). */
export const loadedAt = (): number => Number(process.env.PAINCHAIN_TEST_COLLECTOR_NOW ?? Date.now());

export interface FixtureOptions {
  jsonData?: ChangesOptions;
  apiToken?: string;
  variables?: TestVariable[];
  collector?: string;
}

export function makeDataSource(options: FixtureOptions = {}): { ds: ChangesDataSource; templateSrv: TemplateSrv } {
  installBackendSrv(pluginJson.routes as PluginRoute[], {
    proxyBase: PROXY_BASE,
    url: options.collector ?? collectorUrl(),
    secureJsonData: { apiToken: options.apiToken ?? READ_TOKEN },
  });
  const templateSrv = installTemplateSrv(options.variables ?? []);
  const settings: DataSourceInstanceSettings<ChangesOptions> = {
    id: 1,
    uid: 'painchain',
    type: pluginJson.id,
    name: 'PainChain',
    url: PROXY_BASE,
    access: 'proxy',
    jsonData: options.jsonData ?? {},
    readOnly: false,
    meta: { id: pluginJson.id, name: pluginJson.name, type: 'datasource' } as DataSourceInstanceSettings['meta'],
  };
  return { ds: new ChangesDataSource(settings, templateSrv), templateSrv };
}
