import { dateTime, FieldType, type DataQueryRequest, type DataFrame } from '@grafana/data';
import { lastValueFrom } from 'rxjs';
import { loadedAt, makeDataSource, PROXY_BASE } from '../../test/support/datasource-fixture';
import { CollectorApi } from './api/collector-api';
import { ChangesVariableSupport } from './variables';
import { requestLog } from '../../test/support/grafana-services';
import type { ChangesQuery } from './types/query';

function request(targets: ChangesQuery[], hours = 4): DataQueryRequest<ChangesQuery> {
  const to = dateTime(loadedAt() + 60_000);
  const from = dateTime(loadedAt() - hours * 3600_000);
  return {
    requestId: 'test',
    interval: '1m',
    intervalMs: 60_000,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  };
}

const values = (frame: DataFrame, name: string): unknown[] => frame.fields.find((f) => f.name === name)?.values ?? [];

describe('ChangesDataSource.query against a live collector', () => {
  it('returns one frame per query with the event fields, newest first, and an "Open in source" link', async () => {
    const { ds } = makeDataSource();
    const { data } = await ds.query(request([{ refId: 'A' }]));
    expect(data).toHaveLength(1);
    const frame = data[0] as DataFrame;
    expect(frame.refId).toBe('A');
    expect(frame.fields.map((f) => f.name)).toEqual([
      'time',
      'timeEnd',
      'title',
      'text',
      'tags',
      'id',
      'kind',
      'status',
      'connector',
      'project',
      'service',
      'environment',
      'author',
      'url',
      'refs',
      'data',
      // Hidden: the url when it may be a link (http or https), which "Open in source" reads.
      'sourceLink',
    ]);
    expect(frame.fields.find((f) => f.name === 'time')?.type).toBe(FieldType.time);
    expect(frame.fields.find((f) => f.name === 'timeEnd')?.type).toBe(FieldType.time);
    expect(frame.fields.find((f) => f.name === 'data')?.type).toBe(FieldType.other);
    // The sample changes of the last four hours and the Grafana alert the collector recorded.
    expect(frame.length).toBe(16);
    expect(values(frame, 'title')[0]).toBe('Flag new-3ds-flow on for 10%');
    const times = values(frame, 'time') as number[];
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const pipeline = values(frame, 'title').indexOf('CI #812 on main');
    expect(values(frame, 'tags')[pipeline]).toBe('ci,main');
    expect((values(frame, 'timeEnd')[pipeline] as number) - times[pipeline]!).toBe(9 * 60_000);
    expect(values(frame, 'text')[pipeline]).toBe('pipeline · succeeded · by alice');
    expect(values(frame, 'data')[pipeline]).toMatchObject({ workflow: 'ci.yml' });
    const link = frame.fields.find((f) => f.name === 'url')?.config.links?.[0];
    expect(link).toMatchObject({ title: 'Open in source', url: '${__data.fields.sourceLink}', targetBlank: true });
    expect(values(frame, 'sourceLink')[pipeline]).toBe(values(frame, 'url')[pipeline]);
    expect(frame.meta?.notices).toEqual([]);
  });

  it('applies every filter, with lists as repeated parameters', async () => {
    const { ds } = makeDataSource();
    const { data } = await ds.query(
      request([{ refId: 'A', service: ['api', 'web'], kind: ['deploy', 'pipeline'], status: ['failed', 'succeeded'] }])
    );
    expect(values(data[0], 'title')).toEqual([
      'CI #813 on main failed: e2e',
      'Deploy api v1.4.2 to production',
      'CI #812 on main',
    ]);
    const text = await ds.query(request([{ refId: 'B', q: 'rollback', environment: ['production'] }]));
    expect(values(text.data[0], 'title')).toEqual(['Rollback payments to v2.7.3']);
  });

  it('treats the "All" value * as no filter, so changes without that field still show', async () => {
    const all = makeDataSource({ variables: [{ name: 'service', value: '*' }] }).ds;
    const none = makeDataSource({ variables: [] }).ds;
    const withAll = await all.query(request([{ refId: 'A', service: ['$service'] }]));
    const unfiltered = await none.query(request([{ refId: 'A' }]));
    expect(values(withAll.data[0], 'title')).toEqual(values(unfiltered.data[0], 'title'));
    expect(all.interpolateVariablesInQueries([{ refId: 'A', service: ['$service'] }], {})[0]?.service).toBeUndefined();
  });

  it('interpolates template variables in every field, multi-value ones as several values', async () => {
    const { ds } = makeDataSource({
      variables: [
        { name: 'service', value: ['payments', 'web'] },
        { name: 'kind', value: 'deploy' },
        { name: 'text', value: 'v2.8' },
      ],
    });
    const { data } = await ds.query(request([{ refId: 'A', service: ['$service'], kind: ['${kind}', 'rollback'] }]));
    expect(values(data[0], 'title')).toEqual(['Rollback payments to v2.7.3', 'Rollout payments v2.8.0 failed']);
    const byText = await ds.query(request([{ refId: 'A', q: '$text' }]));
    expect(values(byText.data[0], 'title')).toEqual(['Rollout payments v2.8.0 failed']);
    expect(ds.interpolateVariablesInQueries([{ refId: 'A', service: ['$service'] }], {})[0]?.service).toEqual([
      'payments',
      'web',
    ]);
  });

  it('pages through the cursor up to the cap and says so in a frame notice', async () => {
    const { ds } = makeDataSource({ jsonData: { maxEvents: 5 } });
    const capped = await ds.query(request([{ refId: 'A' }]));
    expect(capped.data[0].length).toBe(5);
    expect(capped.data[0].meta?.notices).toEqual([
      expect.objectContaining({ severity: 'warning', text: expect.stringContaining('Showing the newest 5 changes') }),
    ]);
    requestLog.length = 0;
    const paged = await ds.query(request([{ refId: 'A', maxEvents: 16 }]));
    expect(paged.data[0].length).toBe(16);
    expect(paged.data[0].meta?.notices).toEqual([]);
    expect(requestLog).toHaveLength(1);
  });

  it('follows nextCursor across pages until the last one, through the proxy route', async () => {
    makeDataSource();
    const api = new CollectorApi(`${PROXY_BASE}/collector`, 4);
    requestLog.length = 0;
    const range = { from: loadedAt() - 4 * 3600_000, to: loadedAt() };
    const all = await api.listEvents({}, range, 100);
    expect(all.events).toHaveLength(16);
    expect(all.truncated).toBe(false);
    expect(new Set(all.events.map((e) => e.id)).size).toBe(16);
    expect(requestLog).toHaveLength(4);
    expect(requestLog.slice(1).every((u) => u.includes('&cursor='))).toBe(true);
    expect(requestLog.every((u) => u.startsWith(`${PROXY_BASE}/collector/api/v1/events?`))).toBe(true);
    const capped = await api.listEvents({}, range, 6);
    expect(capped.events).toHaveLength(6);
    expect(capped.truncated).toBe(true);
  });

  it('skips hidden queries and returns an empty frame for an empty time range', async () => {
    const { ds } = makeDataSource();
    const { data } = await ds.query(
      request([
        { refId: 'A', hide: true },
        { refId: 'B', project: ['nope/none'] },
      ])
    );
    expect(data).toHaveLength(1);
    expect(data[0].refId).toBe('B');
    expect(data[0].length).toBe(0);
  });

  it('reports a refused token in words, through the query error', async () => {
    const { ds } = makeDataSource({ apiToken: 'wrong-token-wrong-token' });
    await expect(ds.query(request([{ refId: 'A' }]))).rejects.toThrow(/API token/);
  });
});

describe('ChangesDataSource.testDatasource', () => {
  it('reports the collector version, store and connectors', async () => {
    const { ds } = makeDataSource();
    const result = await ds.testDatasource();
    expect(result.status).toBe('success');
    expect(result.message).toMatch(
      /^PainChain collector \S+: store pglite, migrations applied\. Connectors: none reporting yet/
    );
  });

  it('fails with a readable message when the token is refused or the collector is down', async () => {
    const refused = await makeDataSource({ apiToken: 'wrong-token-wrong-token' }).ds.testDatasource();
    expect(refused).toMatchObject({ status: 'error', message: expect.stringMatching(/API token/) });
    const down = await makeDataSource({ collector: 'http://127.0.0.1:9' }).ds.testDatasource();
    expect(down).toMatchObject({ status: 'error', message: expect.stringMatching(/collector URL/) });
  });
});

describe('template variables (facets route)', () => {
  it("lists a field's values with the filters applied", async () => {
    const { ds } = makeDataSource({ variables: [{ name: 'env', value: 'staging' }] });
    const variables = new ChangesVariableSupport(ds);
    const run = async (query: { field: 'service' | 'author' | 'kind'; environment?: string[] }) =>
      (await lastValueFrom(variables.query({ ...request([]), targets: [{ refId: 'V', ...query }] })))
        .data as DataFrame[];
    const [services] = await run({ field: 'service' });
    expect(services!.fields.map((f) => f.name)).toEqual(['text', 'value']);
    expect([...services!.fields[0]!.values].sort()).toEqual(['api', 'payments', 'web']);
    const [staging] = await run({ field: 'author', environment: ['$env'] });
    expect([...staging!.fields[1]!.values].sort()).toEqual(['dave', 'erin']);
    expect(ds.variables).toBeInstanceOf(ChangesVariableSupport);
  });
});
