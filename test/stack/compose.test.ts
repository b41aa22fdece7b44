// docker-compose.yml as Docker Compose reads it (no Docker engine runs here): valid against the
// Compose Specification, every variable documented in .env.example and secrets only from .env,
// every mounted path present, Grafana's version and plugin ids in line with the built plugin, the
// collector's container configuration loaded by the collector's own loader, Prometheus scraping it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { Ajv } from 'ajv';
import { loadConfig } from '../../collector/src/config/index.js';
import { CONNECTOR_TYPES } from '../../collector/src/runner/connector-registry.js';
import { interpolate, variablesUsed } from './compose-interpolation.js';
import { exampleEntries, exampleEnv } from './env-file.js';
import {
  asObject,
  builtPlugin,
  builtPlugins,
  isObject,
  PLUGIN_DIST,
  PLUGIN_IDS,
  readJson,
  readYaml,
  repoPath,
  type Json,
  type JsonObject,
} from './stack-files.js';
import { satisfies } from './version-range.js';

/** The grafana/grafana image's own paths (GF_PATHS_PROVISIONING, GF_PATHS_PLUGINS). */
const GRAFANA_PROVISIONING = '/etc/grafana/provisioning';
const GRAFANA_PLUGINS = '/var/lib/grafana/plugins';
/** The prom/prometheus image reads this file unless told otherwise. */
const PROMETHEUS_CONFIG = '/etc/prometheus/prometheus.yml';

const raw = readYaml('docker-compose.yml') as Json;
/** The file as `docker compose config` resolves it for a user who filled in .env. */
const env = exampleEnv();
const compose = asObject(interpolate(raw, env), 'docker-compose.yml');
const services = asObject(compose.services, 'services');
const service = (name: string): JsonObject => asObject(services[name], `services.${name}`);
const environment = (name: string): Record<string, string> => {
  const value = service(name).environment;
  return Object.fromEntries(
    Object.entries(asObject(value, `${name}.environment`)).map(([k, v]) => [k, String(v)]),
  );
};

interface Mount {
  type: string;
  source: string;
  target: string;
  readOnly: boolean;
}
/** Long-syntax volumes only: a short-syntax bind silently creates a missing folder. */
const mounts = (name: string): Mount[] =>
  ((service(name).volumes ?? []) as Json[]).map((v, i) => {
    const m = asObject(v, `${name}.volumes[${i}] (use the long syntax)`);
    return {
      type: String(m.type),
      source: String(m.source),
      target: String(m.target),
      readOnly: m.read_only === true,
    };
  });
const bindOf = (name: string, source: string): Mount => {
  const found = mounts(name).find((m) => m.type === 'bind' && posix.normalize(m.source) === source);
  if (!found) throw new Error(`${name} does not mount ./${source}`);
  return found;
};
const imageOf = (name: string): { repository: string; tag: string } => {
  const [repository, tag] = String(service(name).image).split(':');
  return { repository: repository!, tag: tag ?? 'latest' };
};

describe('docker-compose.yml', () => {
  test('validates against the Compose Specification schema, as written and once interpolated', () => {
    const schema = asObject(readJson('test/stack/data/compose-spec.json'), 'compose-spec.json');
    // The copy names its draft with an https URL Ajv does not know; draft-07 is Ajv's default.
    delete schema.$schema;
    const options = { allErrors: true, strict: false };
    const validate = new Ajv(options).compile(schema);
    const problems = (doc: Json) =>
      validate(doc)
        ? []
        : (validate.errors ?? []).map(
            (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
          );
    expect(problems(raw)).toEqual([]);
    expect(problems(compose)).toEqual([]);
    // The schema really rejects what is wrong: a misspelt key inside a service.
    const broken = structuredClone(compose) as JsonObject;
    asObject(asObject(broken.services, 'services').collector, 'collector').enviroment = {};
    expect(problems(broken).join('\n')).toMatch(/enviroment/);
  });

  test('uses every variable of .env.example and no other; secrets have no default and stop compose when empty', () => {
    const uses = variablesUsed(raw);
    const documented = exampleEntries();
    expect([...new Set(uses.map((u) => u.name))].sort()).toEqual(
      documented.map((e) => e.name).sort(),
    );

    for (const entry of documented) {
      const own = uses.filter((u) => u.name === entry.name);
      expect({ [entry.name]: entry.comment.length > 0 }).toEqual({ [entry.name]: true });
      if (entry.value === '') {
        // A secret: required everywhere it is used, with a message that points at .env.example.
        for (const use of own) {
          expect({ [entry.name]: use.operator }).toEqual({ [entry.name]: ':?' });
          expect(use.argument).toContain('.env.example');
        }
      } else {
        // An option: .env.example shows the default the compose file falls back to.
        for (const use of own)
          expect({ [entry.name]: use.argument }).toEqual({ [entry.name]: entry.value });
      }
    }

    // As shipped (secrets empty), compose refuses to start and names the missing secret.
    const asShipped = Object.fromEntries(documented.map((e) => [e.name, e.value]));
    expect(() => interpolate(raw, asShipped)).toThrow(/POSTGRES_PASSWORD.*\.env\.example/);
  });

  test('writes no secret in the file: passwords and tokens only come from variables', () => {
    const rawServices = asObject(asObject(raw, 'compose').services, 'services');
    for (const [name, svc] of Object.entries(rawServices)) {
      const vars = asObject(asObject(svc, name).environment ?? {}, `${name}.environment`);
      for (const [key, value] of Object.entries(vars)) {
        if (/PASSWORD|TOKEN|SECRET|_KEY$/.test(key))
          expect({ [key]: String(value) }).toEqual({
            [key]: expect.stringMatching(/\$\{[A-Z_]+:\?/),
          });
        if (key === 'DATABASE_URL')
          expect(String(value)).toMatch(/^postgres:\/\/[a-z]+:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/);
      }
    }
  });

  test('mounts and builds from paths that exist in the repository (after npm run build)', () => {
    for (const [name] of Object.entries(services)) {
      for (const m of mounts(name).filter((m) => m.type === 'bind')) {
        expect(m.source).toMatch(/^\.\//);
        if (!existsSync(repoPath(m.source))) {
          throw new Error(
            `${name} mounts ${m.source}, which does not exist` +
              (m.source.startsWith(`./${PLUGIN_DIST}`)
                ? ': run `npm run build` (it builds the Grafana plugin)'
                : ''),
          );
        }
        // Grafana and the collector only read what they are given.
        expect({ [m.source]: m.readOnly }).toEqual({ [m.source]: true });
      }
    }
    const build = asObject(service('collector').build, 'collector.build');
    expect(statSync(repoPath(String(build.context))).isDirectory()).toBe(true);
    expect(existsSync(repoPath(String(build.context), String(build.dockerfile)))).toBe(true);
  });

  test('postgres: the official image, a named volume where it keeps its data, a health check the collector waits for', () => {
    const { repository, tag } = imageOf('postgres');
    expect(repository).toBe('postgres');
    const major = Number(tag.split(/[.-]/)[0]);
    expect(major).toBeGreaterThanOrEqual(15);
    // From 18 on the image keeps data below /var/lib/postgresql/<major>/ (its VOLUME moved there).
    const dataPath = major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data';
    const data = mounts('postgres').find((m) => m.target === dataPath);
    expect(data?.type).toBe('volume');
    expect(asObject(compose.volumes, 'volumes')).toHaveProperty([data!.source]);
    const healthcheck = asObject(service('postgres').healthcheck, 'postgres.healthcheck');
    expect(JSON.stringify(healthcheck.test)).toContain('pg_isready');

    const dependsOn = asObject(service('collector').depends_on, 'collector.depends_on');
    expect(dependsOn.postgres).toEqual({ condition: 'service_healthy' });

    const pgEnv = environment('postgres');
    const url = new URL(environment('collector').DATABASE_URL!);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(pgEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(env.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
  });

  test("the collector's container configuration loads with the collector's own loader: all interfaces, PostgreSQL, three tokens", async () => {
    const collectorEnv = environment('collector');
    const configMount = bindOf('collector', 'painchain.docker.yaml');
    expect(collectorEnv.PAINCHAIN_CONFIG).toBe(configMount.target);

    const config = await loadConfig({
      path: repoPath('painchain.docker.yaml'),
      env: collectorEnv,
      connectorTypes: CONNECTOR_TYPES,
    });
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.store.url).toBe(collectorEnv.DATABASE_URL);
    expect(config.auth.disabled).toBe(false);
    expect(
      config.auth.tokens.map((t) => ({
        name: t.name,
        scopes: [...t.scopes].sort(),
        token: t.token,
      })),
    ).toEqual([
      { name: 'ci', scopes: ['ingest'], token: env.PAINCHAIN_INGEST_TOKEN },
      { name: 'grafana', scopes: ['read'], token: env.PAINCHAIN_READ_TOKEN },
      { name: 'ops', scopes: ['admin', 'ingest', 'read'], token: env.PAINCHAIN_ADMIN_TOKEN },
    ]);
    // The published port, Grafana's datasource URL and Prometheus's target all reach that port.
    const port = config.server.port;
    expect((service('collector').ports as Json[]).map(String)).toEqual([
      `${env.PAINCHAIN_HOST_PORT}:${port}`,
    ]);
    expect(environment('grafana').PAINCHAIN_URL).toBe(`http://collector:${port}`);
    const scrape = asObject(readYaml('prometheus/prometheus.yml'), 'prometheus.yml');
    const targets = (scrape.scrape_configs as JsonObject[]).flatMap((job) =>
      (job.static_configs as JsonObject[]).flatMap((s) => s.targets as string[]),
    );
    expect(targets).toContain(`collector:${port}`);
  });

  test('Prometheus scrapes the collector at /metrics with the mounted prometheus.yml', () => {
    expect(imageOf('prometheus').repository).toBe('prom/prometheus');
    expect(bindOf('prometheus', 'prometheus/prometheus.yml').target).toBe(PROMETHEUS_CONFIG);
    const config = asObject(readYaml('prometheus/prometheus.yml'), 'prometheus.yml');
    const job = (config.scrape_configs as JsonObject[]).find((j) =>
      (j.static_configs as JsonObject[]).some((s) =>
        (s.targets as string[]).some((t) => t.startsWith('collector:')),
      ),
    );
    expect(job).toBeDefined();
    expect(job!.metrics_path ?? '/metrics').toBe('/metrics');
    expect(services).toHaveProperty('collector');
  });

  test('Grafana: provisioning and dashboards mounted where the provisioning files look for them', () => {
    expect(bindOf('grafana', 'provisioning').target).toBe(GRAFANA_PROVISIONING);
    const dashboardsMount = bindOf('grafana', 'dashboards');
    const providers = asObject(
      readYaml('provisioning/dashboards/painchain.yaml'),
      'dashboards provider',
    ).providers as JsonObject[];
    expect(providers.map((p) => asObject(p.options, 'options').path)).toEqual([
      dashboardsMount.target,
    ]);

    const grafanaEnv = environment('grafana');
    // The home dashboard is one of the mounted files.
    const home = grafanaEnv.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(home.startsWith(`${dashboardsMount.target}/`)).toBe(true);
    expect(existsSync(repoPath('dashboards', posix.relative(dashboardsMount.target, home)))).toBe(
      true,
    );
    // Every variable a provisioning file reads is in Grafana's environment.
    for (const file of [
      'datasources/painchain.yaml',
      'datasources/prometheus.yaml',
      'dashboards/painchain.yaml',
      'plugins/painchain.yaml',
    ]) {
      for (const use of variablesUsed(readYaml(`provisioning/${file}`) as Json)) {
        expect({ [file]: use.name in grafanaEnv }).toEqual({ [file]: true });
      }
    }
    expect(grafanaEnv.PAINCHAIN_READ_TOKEN).toBe(env.PAINCHAIN_READ_TOKEN);
    expect(grafanaEnv.PROMETHEUS_URL).toBe('http://prometheus:9090');
    expect(grafanaEnv.GF_SECURITY_ADMIN_PASSWORD).toBe(env.GRAFANA_ADMIN_PASSWORD);
  });

  test('Grafana loads the built plugin: mounted as its app id, every plugin id allowed unsigned', () => {
    const plugins = builtPlugins();
    const app = builtPlugin('app');
    expect(app.id).toBe(PLUGIN_IDS.app);
    expect(plugins.map((p) => p.id).sort()).toEqual(Object.values(PLUGIN_IDS).sort());

    const pluginMount = bindOf('grafana', PLUGIN_DIST);
    expect(pluginMount.target).toBe(`${GRAFANA_PLUGINS}/${app.id}`);
    const allowed = environment('grafana').GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS!.split(',');
    expect(allowed.sort()).toEqual(plugins.map((p) => p.id).sort());
  });

  test("Grafana's image is a version every plugin's grafanaDependency accepts", () => {
    const { repository, tag } = imageOf('grafana');
    expect(repository).toBe('grafana/grafana');
    expect(tag).toMatch(/^\d+\.\d+\.\d+$/);
    const ranges = builtPlugins().map((p) => ({
      file: p.file,
      range: String(asObject(p.json.dependencies, `${p.file} dependencies`).grafanaDependency),
    }));
    // The sources too, so that a rebuild cannot silently change the answer.
    const source = JSON.parse(
      readFileSync(repoPath('grafana-plugin/src/plugin.json'), 'utf8'),
    ) as unknown;
    if (isObject(source) && isObject(source.dependencies)) {
      ranges.push({
        file: 'grafana-plugin/src/plugin.json',
        range: String(source.dependencies.grafanaDependency),
      });
    }
    for (const { file, range } of ranges) {
      expect({ file, range, accepts: satisfies(tag, range) }).toEqual({
        file,
        range,
        accepts: true,
      });
    }
  });

  test('the version ranges are read the way semver reads them', () => {
    expect(satisfies('13.2.3', '>=12.3.0')).toBe(true);
    expect(satisfies('12.2.9', '>=12.3.0')).toBe(false);
    expect(satisfies('13.2.3', '>=12.3.0 <13')).toBe(false);
    expect(satisfies('12.4.0', '>=12.3.0 <13')).toBe(true);
    expect(satisfies('11.6.0', '>=12 || >=11.6 <12')).toBe(true);
  });
});
