// docs/grafana-without-docker.md checked against the repository (no Grafana can be downloaded
// here): its Grafana version is the compose file's, its plugin ids are the built plugin's, the
// variables it gives Grafana are exactly the ones the provisioning files read, every path it
// names exists, and its setup commands, run as written, lay out a plugins folder and a
// provisioning folder that Grafana reads as the compose stack's.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { variablesUsed } from './compose-interpolation.js';
import {
  asObject,
  builtPlugin,
  builtPlugins,
  PLUGIN_DIST,
  readText,
  readYaml,
  repoPath,
  type Json,
  type JsonObject,
} from './stack-files.js';

const run = promisify(execFile);
const DOC = 'docs/grafana-without-docker.md';
const doc = readText(DOC);
const shBlocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const blockWith = (needle: string): string => {
  const found = shBlocks.find((b) => b.includes(needle));
  if (!found) throw new Error(`${DOC} has no sh block with ${needle}`);
  return found;
};

/** The `NAME=value` assignments in front of the command that starts Grafana. */
function startEnvironment(): Record<string, string> {
  const block = blockWith('bin/grafana server');
  const assignments = [...block.matchAll(/^([A-Z][A-Z0-9_]*)=("[^"]*"|\S*)\s*\\$/gm)];
  return Object.fromEntries(assignments.map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]));
}

/**
 * Grafana settings as environment variables (`GF_<SECTION>_<KEY>`), the ones the doc may use:
 * https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/ ([paths] plugins and
 * provisioning, [plugins] allow_loading_unsigned_plugins, [dashboards] default_home_dashboard_path).
 */
const GRAFANA_SETTINGS = new Set([
  'GF_PATHS_PLUGINS',
  'GF_PATHS_PROVISIONING',
  'GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS',
  'GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH',
]);

/** The provisioning files the doc's setup copies (the whole datasources and plugins folders). */
const PROVISIONING_FILES = [
  ...readdirSync(repoPath('provisioning/datasources')).map((f) => `provisioning/datasources/${f}`),
  ...readdirSync(repoPath('provisioning/plugins')).map((f) => `provisioning/plugins/${f}`),
  'provisioning/dashboards/painchain.yaml',
];

const dashboardsProvider = (file: Json): JsonObject => {
  const providers = asObject(file, 'dashboards provider file').providers as Json[];
  return asObject(providers[0], 'providers[0]');
};
const providerPath = (file: Json): string =>
  String(asObject(dashboardsProvider(file).options, 'options').path);

describe(DOC, () => {
  test('is written for the Grafana version docker-compose.yml runs, and names no other', () => {
    const compose = readYaml('docker-compose.yml') as { services: { grafana: { image: string } } };
    const image = compose.services.grafana.image;
    const version = /^grafana\/grafana:(\d+\.\d+\.\d+)$/.exec(image)?.[1];
    expect(version).toBeDefined();
    expect(doc).toContain(`Written for **Grafana ${version}**`);
    const named = new Set([...doc.matchAll(/grafana[-_/ ](\d+\.\d+\.\d+)/gi)].map((m) => m[1]));
    expect([...named]).toEqual([version]);
  });

  test('allows exactly the built plugin ids unsigned, and links the build output as the app id', () => {
    const allowed = startEnvironment().GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS!.split(',');
    expect(allowed.sort()).toEqual(
      builtPlugins()
        .map((p) => p.id)
        .sort(),
    );
    const setup = blockWith('ln -s');
    const link = /ln -sfn "\$PWD\/([^"]+)" \S+\/plugins\/(\S+)$/m.exec(setup);
    expect(link?.slice(1)).toEqual([PLUGIN_DIST, builtPlugin('app').id]);
  });

  test('gives Grafana the Grafana settings it names and exactly the variables the provisioning files read', () => {
    const env = startEnvironment();
    const settings = Object.keys(env).filter((name) => name.startsWith('GF_'));
    for (const name of settings) expect(GRAFANA_SETTINGS).toContain(name);
    const read = new Set(
      PROVISIONING_FILES.flatMap((f) => variablesUsed(readYaml(f) as Json).map((u) => u.name)),
    );
    const given = Object.keys(env).filter((name) => !name.startsWith('GF_'));
    expect(given.sort()).toEqual([...read].sort());
    // Each is explained in the doc's table.
    for (const name of Object.keys(env)) expect(doc).toContain(`| \`${name}\``);
    expect(env.PAINCHAIN_URL).toBe('http://localhost:8000');
  });

  test('every repository path it names exists', () => {
    const paths = new Set(
      [
        ...doc.matchAll(
          /(?:grafana-plugin\/dist|provisioning\/[\w./-]*[\w]|dashboards\/[\w.-]+\.json|docker-compose\.yml|\.painchain\/data)/g,
        ),
      ].map((m) => m[0]),
    );
    paths.delete('.painchain/data'); // made by the collector on its first start
    expect(paths.size).toBeGreaterThan(5);
    for (const path of paths)
      expect({ path, exists: existsSync(repoPath(path)) }).toEqual({ path, exists: true });
    // The path the setup replaces is the one the dashboards provider reads.
    const sed = /sed "s\|([^|]+)\|\$PWD\/([^|]+)\|"/.exec(blockWith('sed '));
    expect(sed?.[1]).toBe(providerPath(readYaml('provisioning/dashboards/painchain.yaml') as Json));
    expect(sed?.[2]).toBe('dashboards');
  });

  describe('its setup commands, run as written in a copy of the repository', () => {
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'painchain-grafana-'));
      for (const name of ['provisioning', 'dashboards', 'grafana-plugin']) {
        symlinkSync(repoPath(name), join(dir, name));
      }
      await run('bash', ['-euo', 'pipefail', '-c', blockWith('ln -s')], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '' },
      });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const plugins = () => startEnvironment().GF_PATHS_PLUGINS!.replace('$PWD', dir);
    const provisioning = () => startEnvironment().GF_PATHS_PROVISIONING!.replace('$PWD', dir);

    test('the plugins folder holds the built app under its id, with its nested datasource and panel', () => {
      const app = JSON.parse(
        readFileSync(join(plugins(), 'painchain-app', 'plugin.json'), 'utf8'),
      ) as { id: string };
      expect(app.id).toBe(builtPlugin('app').id);
      for (const nested of ['datasource', 'panel']) {
        expect(existsSync(join(plugins(), 'painchain-app', nested, 'plugin.json'))).toBe(true);
      }
    });

    test("the provisioning folder is the repository's, with the dashboards read from the repository's dashboards/", () => {
      for (const file of PROVISIONING_FILES.filter((f) => !f.includes('/dashboards/'))) {
        const copy = join(provisioning(), file.replace(/^provisioning\//, ''));
        expect(readFileSync(copy, 'utf8')).toBe(readText(file));
      }
      const copied = parse(
        readFileSync(join(provisioning(), 'dashboards', 'painchain.yaml'), 'utf8'),
      ) as Json;
      const original = readYaml('provisioning/dashboards/painchain.yaml') as Json;
      expect(providerPath(copied)).toBe(join(dir, 'dashboards'));
      // Nothing else changed.
      expect({ ...dashboardsProvider(copied), options: null }).toEqual({
        ...dashboardsProvider(original),
        options: null,
      });
      expect(
        readdirSync(providerPath(copied))
          .filter((f) => f.endsWith('.json'))
          .sort(),
      ).toEqual(
        readdirSync(repoPath('dashboards'))
          .filter((f) => f.endsWith('.json'))
          .sort(),
      );
      const home = startEnvironment().GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!.replace(
        '$PWD',
        dir,
      );
      expect(existsSync(home)).toBe(true);
    });

    test('Grafana starts from the folder the download unpacks to', () => {
      const unpacked = /tar -xzf \S+ -C (\S+) --strip-components=1$/m.exec(
        blockWith('tar -xzf'),
      )?.[1];
      expect(unpacked).toMatch(/^\.painchain\/grafana\/grafana-\d+\.\d+\.\d+$/);
      const start = blockWith('bin/grafana server');
      expect(start).toContain(`${unpacked}/bin/grafana server --homepath ${unpacked}\n`);
    });
  });
});
