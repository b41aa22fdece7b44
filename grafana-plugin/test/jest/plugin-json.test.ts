// Every built plugin.json against Grafana's plugin.json schema (test/data, with its source), plus
// what the schema cannot say: ids, the Grafana version, nested includes, and the proxy route.
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import schema from '../data/grafana-plugin.schema.json';

const dist = join(__dirname, '../../dist');
const read = (path: string) => JSON.parse(readFileSync(join(dist, path), 'utf8'));
const FILES = ['plugin.json', 'datasource/plugin.json', 'panel/plugin.json'];
/** Top-level keys Grafana documents that this copy of the schema predates (test/data/SOURCE.md). */
const NEWER_KEYS = ['iam', 'roles', 'extensions', 'languages', 'buildMode'];

function validator() {
  const withNewer = {
    ...schema,
    properties: { ...schema.properties, ...Object.fromEntries(NEWER_KEYS.map((k) => [k, {}])) },
  };
  return new Ajv({
    allErrors: true,
    strict: false,
    unicodeRegExp: false,
    formats: { email: /^\S+@\S+$/, uri: /^[a-z][a-z0-9+.-]*:\S*$/i },
  }).compile(withNewer);
}

beforeAll(() => {
  if (!existsSync(join(dist, 'plugin.json'))) {
    throw new Error('grafana-plugin/dist is missing: run `npm run build` (root) first');
  }
});

describe('built plugin.json files', () => {
  it.each(FILES)("%s is valid against Grafana's schema", (file) => {
    const validate = validator();
    const ok = validate(read(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('still refuses keys the schema does not know', () => {
    const validate = validator();
    expect(validate({ ...read('plugin.json'), madeUp: true })).toBe(false);
  });

  it('has the ids dashboards and provisioning refer to, and a Grafana version', () => {
    expect(FILES.map((f) => read(f).id)).toEqual([
      'painchain-app',
      'painchain-changes-datasource',
      'painchain-timeline-panel',
    ]);
    for (const file of FILES) {
      const json = read(file);
      expect(json.id).toMatch(new RegExp(schema.properties.id.pattern));
      expect(json.id).toMatch(/^painchain-/);
      expect(json.dependencies.grafanaDependency).toMatch(/^>=\d+\.\d+\.\d+$/);
      expect(json.info.version).toMatch(/^\d+\.\d+\.\d+/);
      for (const logo of Object.values(json.info.logos) as string[]) {
        expect(existsSync(join(dist, file, '..', logo))).toBe(true);
      }
    }
    expect(existsSync(join(dist, 'module.js'))).toBe(true);
  });

  it('includes the nested datasource and panel by paths that resolve', () => {
    const app = read('plugin.json');
    const nested = app.includes.filter((i: { type: string }) => i.type === 'datasource' || i.type === 'panel');
    expect(nested.map((i: { path: string }) => i.path)).toEqual(['datasource/plugin.json', 'panel/plugin.json']);
    for (const include of nested) {
      expect(read(include.path).type).toBe(include.type);
      expect(existsSync(join(dist, include.path, '..', 'module.js'))).toBe(true);
    }
  });

  it('proxies the collector through a route that adds the token from secureJsonData', () => {
    const ds = read('datasource/plugin.json');
    expect(ds.annotations).toBe(true);
    expect(ds.routes).toEqual([
      {
        path: 'collector',
        url: '{{ .URL }}',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
      },
    ]);
  });
});
