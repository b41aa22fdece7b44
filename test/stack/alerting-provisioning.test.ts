// provisioning/alerting/ as Grafana reads it (no Grafana server runs here): the file format of
// Grafana's "Use configuration files to provision alerting resources" (apiVersion 1, contactPoints,
// templates, policies, groups, with the keys it documents), references that resolve (policy →
// contact point, rule → datasource, condition → query), variables Grafana has in the compose
// stack, and — against the real collector — the webhook route, the /go/changes link of the
// template and the metric series the example rule selects.
import { readdirSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { buildApp } from '../../collector/src/app.js';
import { createConfig } from '../../collector/src/config/load-config.js';
import { PGliteDb } from '../../collector/src/store/pglite-db.js';
import { interpolate, variablesUsed } from './compose-interpolation.js';
import { exampleEnv } from './env-file.js';
import {
  asObject,
  readText,
  readYaml,
  repoPath,
  type Json,
  type JsonObject,
} from './stack-files.js';

/** Top-level keys of an alerting provisioning file, as Grafana documents them. */
const FILE_KEYS = [
  'apiVersion',
  'groups',
  'deleteRules',
  'contactPoints',
  'deleteContactPoints',
  'policies',
  'resetPolicies',
  'templates',
  'deleteTemplates',
  'muteTimes',
  'deleteMuteTimes',
];
/** Each documented object: its keys and the ones marked required. */
const DOCUMENTED = {
  group: {
    keys: ['orgId', 'name', 'folder', 'interval', 'rules'],
    required: ['name', 'folder', 'interval', 'rules'],
  },
  rule: {
    keys: [
      'uid',
      'title',
      'condition',
      'data',
      'dashboardUid',
      'panelId',
      'noDataState',
      'execErrState',
      'for',
      'annotations',
      'labels',
    ],
    required: ['uid', 'title', 'condition', 'data', 'for'],
  },
  // relativeTimeRange: what Grafana's rule export writes in each query (and lists among the
  // properties it does not interpolate).
  query: {
    keys: ['refId', 'datasourceUid', 'model', 'relativeTimeRange'],
    required: ['refId', 'datasourceUid', 'model'],
  },
  contactPoint: { keys: ['orgId', 'name', 'receivers'], required: ['name', 'receivers'] },
  receiver: {
    keys: ['uid', 'type', 'disableResolveMessage', 'settings'],
    required: ['uid', 'type', 'settings'],
  },
  webhook: {
    keys: [
      'url',
      'httpMethod',
      'username',
      'password',
      'authorization_scheme',
      'authorization_credentials',
      'maxAlerts',
      'tlsConfig',
    ],
    required: ['url'],
  },
  template: { keys: ['orgId', 'name', 'template'], required: ['name', 'template'] },
  policy: {
    keys: [
      'orgId',
      'receiver',
      'group_by',
      'matchers',
      'object_matchers',
      'mute_time_intervals',
      'group_wait',
      'group_interval',
      'repeat_interval',
      'routes',
    ],
    required: ['receiver'],
  },
} as const;
/** "Only letters, numbers, - (hyphen), and _ (underscore) allowed", at most 40. */
const UID = /^[A-Za-z0-9_-]{1,40}$/;
/** The files only the compose stack should load (the README says so). */
const COMPOSE_ONLY = ['painchain-policies.yaml', 'painchain-example-rule.yaml'];

const dir = 'provisioning/alerting';
const files = readdirSync(repoPath(dir)).filter((f) => /\.ya?ml$/.test(f));

function load(file: string): JsonObject {
  const doc = parseDocument(readText(`${dir}/${file}`));
  expect({ file, errors: doc.errors.map((e) => e.message) }).toEqual({ file, errors: [] });
  return asObject(doc.toJS() as unknown, file);
}
const all = (key: string): JsonObject[] =>
  files.flatMap((f) =>
    ((load(f)[key] ?? []) as Json[]).map((e, i) => asObject(e, `${f} ${key}[${i}]`)),
  );

function conforms(kind: keyof typeof DOCUMENTED, value: JsonObject, where: string): void {
  const spec = DOCUMENTED[kind];
  const unknown = Object.keys(value).filter((k) => !(spec.keys as readonly string[]).includes(k));
  const missing = spec.required.filter((k) => !(k in value));
  expect({ where, unknown, missing }).toEqual({ where, unknown: [], missing: [] });
}

/** What Grafana interpolates: everything but rule annotations, query models and time ranges, and template content. */
function interpolated(file: JsonObject): Json {
  const copy = JSON.parse(JSON.stringify(file)) as JsonObject;
  for (const group of (copy.groups ?? []) as JsonObject[]) {
    for (const rule of (group.rules ?? []) as JsonObject[]) {
      delete rule.annotations;
      for (const query of (rule.data ?? []) as JsonObject[]) {
        delete query.model;
        delete query.relativeTimeRange;
      }
    }
  }
  for (const template of (copy.templates ?? []) as JsonObject[]) delete template.template;
  return copy;
}

const INGEST_TOKEN = 'alerting-provisioning-test-ingest-token';
const READ_TOKEN = 'alerting-provisioning-test-read-token';
let app: Awaited<ReturnType<typeof buildApp>>;
let db: Awaited<ReturnType<typeof PGliteDb.open>>;

beforeAll(async () => {
  db = await PGliteDb.open(undefined);
  const config = createConfig({
    auth: {
      tokens: [
        { name: 'grafana-alerting', token: INGEST_TOKEN, scopes: ['ingest'] },
        { name: 'grafana', token: READ_TOKEN, scopes: ['read'] },
      ],
    },
    grafana: { url: 'http://grafana.example.com:3000' },
  });
  app = await buildApp(config, { db, logger: false });
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('provisioning/alerting/', () => {
  test('holds the contact point, the template, and the compose-only policy tree and example rule', () => {
    expect(files.sort()).toEqual([
      'painchain-contact-point.yaml',
      'painchain-example-rule.yaml',
      'painchain-policies.yaml',
      'painchain-templates.yaml',
    ]);
  });

  test.each(files)('%s: apiVersion 1 and only the keys Grafana documents', (file) => {
    const doc = load(file);
    expect({ file, apiVersion: doc.apiVersion }).toEqual({ file, apiVersion: 1 });
    expect({ file, unknown: Object.keys(doc).filter((k) => !FILE_KEYS.includes(k)) }).toEqual({
      file,
      unknown: [],
    });
    for (const [i, group] of all('groups').entries()) {
      conforms('group', group, `groups[${i}]`);
      for (const [j, rule] of (group.rules as Json[]).entries()) {
        const r = asObject(rule, `rule ${j}`);
        conforms('rule', r, `rule ${String(r.uid)}`);
        for (const query of r.data as Json[])
          conforms('query', asObject(query, 'query'), `rule ${String(r.uid)} query`);
      }
    }
    for (const cp of all('contactPoints')) {
      conforms('contactPoint', cp, `contact point ${String(cp.name)}`);
      for (const receiver of cp.receivers as Json[]) {
        const r = asObject(receiver, 'receiver');
        conforms('receiver', r, `receiver ${String(r.uid)}`);
        if (r.type === 'webhook')
          conforms(
            'webhook',
            asObject(r.settings, 'settings'),
            `receiver ${String(r.uid)} settings`,
          );
      }
    }
    for (const t of all('templates')) conforms('template', t, `template ${String(t.name)}`);
    for (const p of all('policies')) conforms('policy', p, `policy of org ${String(p.orgId)}`);
  });

  test('the contact point posts to the collector webhook with the ingest token from the environment', () => {
    const [cp, ...others] = all('contactPoints');
    expect(others).toEqual([]);
    expect(cp).toMatchObject({ orgId: 1, name: 'painchain' });
    const [receiver] = cp!.receivers as JsonObject[];
    expect(receiver).toMatchObject({
      uid: expect.stringMatching(UID),
      type: 'webhook',
      settings: {
        url: '${PAINCHAIN_URL}/api/v1/alerts/grafana',
        httpMethod: 'POST',
        authorization_scheme: 'Bearer',
        authorization_credentials: '${PAINCHAIN_INGEST_TOKEN}',
      },
    });
  });

  test('every variable Grafana interpolates is in its compose environment, and nothing else starts with $', () => {
    const env = exampleEnv();
    const compose = asObject(
      interpolate(readYaml('docker-compose.yml') as Json, env),
      'docker-compose.yml',
    );
    const grafanaEnv = asObject(
      asObject(asObject(compose.services, 'services').grafana, 'grafana').environment,
      'env',
    );
    const used = files.flatMap((f) =>
      variablesUsed(interpolated(load(f))).map((u) => ({ file: f, ...u })),
    );
    expect(used.map((u) => u.name).sort()).toEqual(['PAINCHAIN_INGEST_TOKEN', 'PAINCHAIN_URL']);
    for (const use of used) {
      expect({ [use.file]: use.name, operator: use.operator }).toEqual({
        [use.file]: use.name,
        operator: undefined,
      });
      expect({ [use.name]: typeof grafanaEnv[use.name] }).toEqual({ [use.name]: 'string' });
    }
    expect(grafanaEnv.PAINCHAIN_INGEST_TOKEN).toBe(env.PAINCHAIN_INGEST_TOKEN);
  });

  test('the compose-only policy tree routes every alert to the painchain contact point', () => {
    const names = all('contactPoints').map((cp) => cp.name);
    const [policy, ...others] = all('policies');
    expect(others).toEqual([]);
    expect(names).toContain(policy!.receiver);
    expect(policy!.routes ?? []).toEqual([]);
  });

  test('the example rule queries the compose Prometheus, its condition is one of its queries, and it names service and env', () => {
    const datasources = readdirSync(repoPath('provisioning/datasources')).flatMap(
      (f) =>
        (asObject(readYaml(`provisioning/datasources/${f}`), f).datasources ?? []) as JsonObject[],
    );
    const [group, ...others] = all('groups');
    expect(others).toEqual([]);
    const [rule] = group!.rules as JsonObject[];
    expect(String(rule!.uid)).toMatch(UID);
    const queries = rule!.data as JsonObject[];
    expect(queries.map((q) => q.refId)).toContain(rule!.condition);
    for (const query of queries) {
      if (query.datasourceUid === '__expr__') continue;
      const ds = datasources.find((d) => d.uid === query.datasourceUid);
      expect(ds).toMatchObject({ type: 'prometheus' });
    }
    expect(rule!.labels).toMatchObject({ service: expect.any(String), env: expect.any(String) });
  });

  test('the example rule selects the series the collector exposes when it refuses an event', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${INGEST_TOKEN}` },
      payload: { title: 'no project, no timestamp' },
    });
    expect(refused.statusCode).toBe(400);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const [rule] = all('groups')[0]!.rules as JsonObject[];
    const expr = String(asObject((rule!.data as JsonObject[])[0]!.model, 'model').expr);
    const selector = /(\w+)\{([^}]*)\}/.exec(expr)!;
    const [, metric, matchers] = selector;
    const series = metrics.split('\n').filter((line) => line.startsWith(`${metric}{`));
    const matching = series.filter((line) =>
      matchers!.split(',').every((m) => {
        const [, label, op, value] = /\s*(\w+)\s*(=~|=)\s*"([^"]*)"/.exec(m)!;
        const actual = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1];
        return (
          actual !== undefined &&
          (op === '=' ? actual === value : new RegExp(`^(?:${value})$`).test(actual))
        );
      }),
    );
    expect(matching).toEqual([expect.stringContaining('status_code="400"')]);
  });

  test("the contact point's webhook reaches the collector route and is accepted with the ingest token", async () => {
    // Grafana's documented webhook payload (the collector's test data), firing now.
    const payload = JSON.parse(
      readText('collector/test/testdata/grafana-webhook-firing.json'),
    ) as JsonObject;
    for (const alert of payload.alerts as JsonObject[]) alert.startsAt = new Date().toISOString();
    const answer = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/grafana',
      headers: { authorization: `Bearer ${INGEST_TOKEN}` },
      payload,
    });
    expect({ status: answer.statusCode, body: answer.json() }).toMatchObject({
      status: 200,
      body: { created: 1, alerts: [{ status: 'firing', verdict: 'no_change_correlated' }] },
    });
  });

  test('the template adds a "Recent changes" link to default.message that the collector answers', async () => {
    const [template, ...others] = all('templates');
    expect(others).toEqual([]);
    const text = String(template!.template);
    // Go template actions balance: every block (define, if, range, with) has its end.
    expect((text.match(/\{\{/g) ?? []).length).toBe((text.match(/\}\}/g) ?? []).length);
    const opened = (text.match(/\{\{-?\s*(define|if|range|with)\b/g) ?? []).length;
    const closed = (text.match(/\{\{-?\s*end\s*-?\}\}/g) ?? []).length;
    expect(closed).toBe(opened);
    const defined = [...text.matchAll(/\{\{-?\s*define "([^"]+)"/g)].map((m) => m[1]);
    expect(defined).toEqual(
      expect.arrayContaining([
        'default.message',
        'painchain.recent_changes',
        'painchain.recent_changes_url',
      ]),
    );
    // Every template it calls is its own or one of Grafana's built-in ones.
    for (const [, name] of text.matchAll(/\{\{-?\s*template "([^"]+)"/g)) {
      expect(defined.includes(name) || name!.startsWith('__')).toBe(true);
    }
    // The link: /go/changes with the parameters the route takes; the collector answers it.
    expect(text).toContain('/go/changes?at={{');
    const params = [...text.matchAll(/[?&](\w+)=\{\{/g)].map((m) => m[1]);
    expect(params).toEqual(['at', 'service', 'environment']);
    const go = await app.inject({
      method: 'GET',
      url: '/go/changes?at=2026-11-26T09:12:00Z&service=payments&environment=production',
    });
    expect(go.statusCode).toBe(302);
    const target = new URL(String(go.headers.location));
    expect(target.searchParams.get('var-service')).toBe('payments');
    expect(target.searchParams.get('var-environment')).toBe('production');
    expect(Number(target.searchParams.get('to'))).toBe(
      Date.parse('2026-11-26T09:12:00Z') + 15 * 60_000,
    );
  });

  test('the README explains each file, the variables, and which files are for the compose stack only', () => {
    const readme = readText('provisioning/README.md');
    for (const file of files) expect(readme).toContain(`alerting/${file}`);
    for (const file of COMPOSE_ONLY)
      expect(readme).toMatch(new RegExp(`alerting/${file}[^\\n]*compose`, 'i'));
    for (const name of ['PAINCHAIN_INGEST_TOKEN', 'painchain.collector_url', '/go/changes'])
      expect(readme).toContain(name);
  });
});
