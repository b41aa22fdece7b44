// provisioning/ as Grafana reads it (no Grafana server runs here): YAML that parses, apiVersion 1,
// only the keys Grafana documents for each file type (docs/sources/administration/provisioning,
// https://grafana.com/docs/grafana/latest/administration/provisioning/), and plugin ids that
// agree with the built plugin.json files.
import { readdirSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { variablesUsed } from './compose-interpolation.js';
import {
  asObject,
  builtPlugin,
  PLUGIN_IDS,
  readText,
  repoPath,
  type Json,
  type JsonObject,
} from './stack-files.js';

/** The keys Grafana documents, per file type and per entry, and the ones it requires. */
const DOCUMENTED = {
  datasources: {
    file: ['apiVersion', 'datasources', 'deleteDatasources', 'prune'],
    entry: [
      'name',
      'type',
      'access',
      'orgId',
      'uid',
      'url',
      'user',
      'database',
      'basicAuth',
      'basicAuthUser',
      'withCredentials',
      'isDefault',
      'jsonData',
      'secureJsonData',
      'version',
      'editable',
    ],
    required: ['name', 'type', 'access'],
  },
  dashboards: {
    file: ['apiVersion', 'providers'],
    entry: [
      'name',
      'orgId',
      'folder',
      'folderUid',
      'type',
      'disableDeletion',
      'updateIntervalSeconds',
      'allowUiUpdates',
      'options',
    ],
    required: ['name', 'options'],
  },
  plugins: {
    file: ['apiVersion', 'apps'],
    entry: ['type', 'org_id', 'org_name', 'disabled', 'jsonData', 'secureJsonData'],
    required: ['type'],
  },
} as const;
type Kind = keyof typeof DOCUMENTED;
const LIST_KEY: Record<Kind, string> = {
  datasources: 'datasources',
  dashboards: 'providers',
  plugins: 'apps',
};

const filesOf = (kind: Kind): string[] =>
  readdirSync(repoPath('provisioning', kind))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `provisioning/${kind}/${f}`);

function load(file: string): JsonObject {
  const doc = parseDocument(readText(file));
  expect({ file, errors: doc.errors.map((e) => e.message) }).toEqual({ file, errors: [] });
  return asObject(doc.toJS() as unknown, file);
}

const entries = (file: string, kind: Kind): JsonObject[] =>
  (load(file)[LIST_KEY[kind]] as Json[]).map((e, i) =>
    asObject(e, `${file} ${LIST_KEY[kind]}[${i}]`),
  );

describe('provisioning/', () => {
  test('has a datasources, a dashboards and a plugins file for PainChain, and nothing Grafana would not read', () => {
    // alerting/ has its own checks: alerting-provisioning.test.ts.
    expect(readdirSync(repoPath('provisioning')).sort()).toEqual([
      'README.md',
      'alerting',
      'dashboards',
      'datasources',
      'plugins',
    ]);
    for (const kind of Object.keys(DOCUMENTED) as Kind[]) {
      expect(filesOf(kind)).toContain(`provisioning/${kind}/painchain.yaml`);
    }
  });

  test.each(Object.keys(DOCUMENTED) as Kind[])(
    '%s files parse, declare apiVersion 1 and use only the keys Grafana documents',
    (kind) => {
      const spec = DOCUMENTED[kind];
      for (const file of filesOf(kind)) {
        const doc = load(file);
        expect({ file, apiVersion: doc.apiVersion }).toEqual({ file, apiVersion: 1 });
        expect({
          file,
          keys: Object.keys(doc).filter((k) => !(spec.file as readonly string[]).includes(k)),
        }).toEqual({
          file,
          keys: [],
        });
        const list = entries(file, kind);
        expect(list.length).toBeGreaterThan(0);
        for (const entry of list) {
          const unknown = Object.keys(entry).filter(
            (k) => !(spec.entry as readonly string[]).includes(k),
          );
          const missing = spec.required.filter((k) => !(k in entry));
          expect({ file, unknown, missing }).toEqual({ file, unknown: [], missing: [] });
        }
      }
    },
  );

  test('datasources: access is proxy or direct, uids are unique, values of a variable are whole', () => {
    const all = filesOf('datasources').flatMap((f) => entries(f, 'datasources'));
    for (const ds of all) expect(['proxy', 'direct']).toContain(ds.access);
    const uids = all.map((ds) => ds.uid);
    expect(new Set(uids).size).toBe(uids.length);
    // Grafana interpolates $VAR and ${VAR} in values only; our files use ${VAR} and nothing fancier.
    for (const file of filesOf('datasources')) {
      for (const use of variablesUsed(load(file) as Json)) expect(use.operator).toBeUndefined();
    }
  });

  test('the PainChain datasource: uid painchain, our datasource type, the collector URL and the read token through the data proxy', () => {
    const [ds, ...others] = entries('provisioning/datasources/painchain.yaml', 'datasources');
    expect(others).toEqual([]);
    expect(ds).toMatchObject({
      uid: 'painchain',
      type: PLUGIN_IDS.datasource,
      access: 'proxy',
      url: '${PAINCHAIN_URL}',
      secureJsonData: { apiToken: '${PAINCHAIN_READ_TOKEN}' },
    });
    // The built datasource is that type, and its proxy route reads exactly that URL and secure key.
    const plugin = builtPlugin('datasource');
    expect(plugin.id).toBe(ds!.type);
    const routes = JSON.stringify(plugin.json.routes ?? []);
    expect(routes).toContain('{{ .URL }}');
    expect(routes).toMatch(/Bearer \{\{ *\.SecureJsonData\.apiToken *\}\}/);
  });

  test('the dashboards provider loads a folder of files into the folder "PainChain"', () => {
    const [provider, ...others] = entries('provisioning/dashboards/painchain.yaml', 'dashboards');
    expect(others).toEqual([]);
    expect(provider).toMatchObject({ type: 'file', folder: 'PainChain' });
    const options = asObject(provider!.options, 'options');
    expect(
      Object.keys(options).every((k) => ['path', 'foldersFromFilesStructure'].includes(k)),
    ).toBe(true);
    expect(String(options.path)).toMatch(/^\//);
    // folder and foldersFromFilesStructure exclude each other.
    expect(options.foldersFromFilesStructure ?? false).toBe(false);
  });

  test('the plugins file enables the app the build produces', () => {
    const apps = entries('provisioning/plugins/painchain.yaml', 'plugins');
    expect(apps).toEqual([{ type: PLUGIN_IDS.app, org_id: 1, disabled: false }]);
    expect(builtPlugin('app').id).toBe(apps[0]!.type);
  });

  test('the README says where each file goes, which variables Grafana needs and the unsigned-plugin setting', () => {
    const readme = readText('provisioning/README.md');
    for (const file of [
      'datasources/painchain.yaml',
      'dashboards/painchain.yaml',
      'plugins/painchain.yaml',
    ]) {
      expect(readme).toContain(file);
    }
    expect(readme).toContain(
      `GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=${PLUGIN_IDS.app},${PLUGIN_IDS.datasource},${PLUGIN_IDS.panel}`,
    );
    for (const file of ['datasources/painchain.yaml', 'dashboards/painchain.yaml']) {
      for (const use of variablesUsed(load(`provisioning/${file}`) as Json))
        expect(readme).toContain(use.name);
    }
    const provider = entries('provisioning/dashboards/painchain.yaml', 'dashboards')[0]!;
    expect(readme).toContain(String(asObject(provider.options, 'options').path));
  });
});
