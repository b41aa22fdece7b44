// Delivery performance queries against the live collector of the jest global setup (its sample
// changes, test/data/sample-events.json): the frames each format makes, with the figures worked
// out by hand from the sample, and how Grafana's time zone and ranges become the collector's.
import { dateTime, FieldType, type DataFrame, type DataQueryRequest } from '@grafana/data';
import { loadedAt, makeDataSource } from '../../test/support/datasource-fixture';
import { requestLog } from '../../test/support/grafana-services';
import { deliveryInterval, resolveTimeZone } from './datasource';
import { changesDashboardUrl, FIGURE_DEFINITIONS, needsLeadTime } from './delivery-frames';
import type { ChangesQuery } from './types/query';

const DAY = 86_400_000;

function request(targets: ChangesQuery[], days = 2, timezone = 'utc'): DataQueryRequest<ChangesQuery> {
  const to = dateTime(loadedAt());
  const from = dateTime(loadedAt() - days * DAY);
  return {
    requestId: 'delivery',
    interval: '1h',
    intervalMs: 3_600_000,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone,
    app: 'dashboard',
    startTime: Date.now(),
  };
}

const field = (frame: DataFrame, name: string) => frame.fields.find((f) => f.name === name);
const delivery = (over: Partial<ChangesQuery> = {}): ChangesQuery => ({ refId: 'D', queryType: 'delivery', ...over });

/**
 * The sample's last two days in production, by hand: one counted deploy (api v1.4.2, 158 min
 * ago; its chain starts at "CI #812 on main" 170 min ago: 720 s); no failure within 24 h; one
 * restoration (the failed payments rollout 75 min ago, rolled back 62 min ago: 780 s); the
 * Grafana alert on payments still fires.
 */
describe('delivery performance queries', () => {
  it('a summary for the services together: the four keys in one row, with units', async () => {
    const { ds } = makeDataSource();
    const { data } = await ds.query(request([delivery({ delivery: { format: 'summary' } })]));
    expect(data).toHaveLength(1);
    const frame = data[0] as DataFrame;
    expect(frame.length).toBe(1);
    expect(frame.fields.map((f) => f.name)).toEqual([
      'Deploys per day',
      'Lead time (median)',
      'Change failure rate',
      'Time to restore (median)',
    ]);
    expect(frame.fields.map((f) => f.values[0])).toEqual([0.5, 720, 0, 780]);
    expect(frame.fields.map((f) => f.config.unit)).toEqual(['none', 's', 'percentunit', 's']);
  });

  it('a time series per day, zero on days without deploys, and one series per service when asked', async () => {
    const { ds } = makeDataSource();
    const { data } = await ds.query(
      request([
        delivery({ delivery: { format: 'timeseries', interval: 'day', figures: ['deployments', 'unrestored'] } }),
      ])
    );
    const total = data[0] as DataFrame;
    expect(field(total, 'Time')?.type).toBe(FieldType.time);
    const deployments = field(total, 'Deployments')!.values as number[];
    // Two whole UTC days and the part of a third that holds now: every day has a value.
    expect(deployments.length).toBeGreaterThanOrEqual(2);
    expect(deployments.every((n) => typeof n === 'number')).toBe(true);
    expect(deployments.reduce((a, b) => a + b, 0)).toBe(1);
    expect((field(total, 'Unrestored failures')!.values as number[]).reduce((a, b) => a + b, 0)).toBe(1);

    const perService = await ds.query(
      request([delivery({ delivery: { format: 'timeseries', groupBy: 'service', figures: ['deployments'] } })])
    );
    const frames = perService.data as DataFrame[];
    // api deployed; payments had a failed rollout, a rollback and the alert.
    expect(frames.map((f) => f.name)).toEqual(['api', 'payments']);
    expect(frames.map((f) => field(f, 'Deployments')!.labels)).toEqual([{ service: 'api' }, { service: 'payments' }]);
  });

  it('a table per service, and the deploys behind the numbers with their lead time and reasons', async () => {
    const { ds } = makeDataSource();
    const { data } = await ds.query(
      request([
        delivery({
          refId: 'T',
          delivery: { format: 'summary', groupBy: 'service', figures: ['deployments', 'failedRollouts'] },
        }),
        delivery({ refId: 'C', delivery: { format: 'changes' } }),
      ])
    );
    const table = data[0] as DataFrame;
    expect(field(table, 'Service')!.values).toEqual(['api', 'payments']);
    expect(field(table, 'Deployments')!.values).toEqual([1, 0]);
    expect(field(table, 'Failed rollouts')!.values).toEqual([0, 1]);

    const [deploys, restorations] = data.slice(1) as DataFrame[];
    expect(deploys!.name).toBe('Deploys');
    expect(field(deploys!, 'Deploy')!.values).toEqual([
      'Deploy api v1.4.2 to production',
      'Rollout payments v2.8.0 failed',
      'Deploy api v1.5.0 to production',
    ]);
    expect(field(deploys!, 'Counted as')!.values).toEqual(['deployment', 'failed rollout', 'in progress']);
    expect(field(deploys!, 'Lead time')!.values).toEqual([720, null, null]);
    expect(field(deploys!, 'Lead time from')!.values[0]).toBe('pipeline: CI #812 on main');
    expect(field(deploys!, 'Deploy')!.config.links?.[0]?.url).toBe('${__data.fields.timeline}');
    expect(field(restorations!, 'Restored by')!.values).toEqual(['Rollback payments to v2.7.3', 'not restored yet']);
    expect(field(restorations!, 'Time to restore')!.values).toEqual([780, null]);
    // The deploys ask for explain and lead times; the table asked for neither, so no chain was followed.
    const asked = requestLog.filter((r) => r.includes('/api/v1/delivery')).slice(-2);
    expect(asked.filter((r) => r.includes('explain=true'))).toHaveLength(1);
    expect(asked.filter((r) => r.includes('leadTime=false'))).toHaveLength(1);
  });

  it("sends the dashboard's time zone, services and environments, and reports the collector's 400 in words", async () => {
    const { ds } = makeDataSource({ variables: [{ name: 'env', value: ['production', 'staging'] }] });
    await ds.query(
      request(
        [delivery({ service: ['api'], environment: ['$env'], delivery: { format: 'summary' } })],
        2,
        'Europe/Berlin'
      )
    );
    const last = new URL(requestLog.filter((r) => r.includes('/api/v1/delivery')).at(-1)!, 'http://x');
    expect(last.searchParams.get('timezone')).toBe('Europe/Berlin');
    expect(last.searchParams.getAll('service')).toEqual(['api']);
    expect(last.searchParams.getAll('environment')).toEqual(['production', 'staging']);
    expect(last.searchParams.get('interval')).toBe('day');

    await expect(ds.query(request([delivery()], 2, 'Mars/Olympus_Mons'))).rejects.toThrow(
      /timezone must be an IANA time zone/
    );
  });
});

describe('how a query becomes the collector’s question', () => {
  it('picks days up to two months and weeks beyond, unless the query says', () => {
    expect(deliveryInterval(undefined, { from: 0, to: 30 * DAY })).toBe('day');
    expect(deliveryInterval('auto', { from: 0, to: 62 * DAY })).toBe('day');
    expect(deliveryInterval('auto', { from: 0, to: 63 * DAY })).toBe('week');
    expect(deliveryInterval('day', { from: 0, to: 300 * DAY })).toBe('day');
  });

  it("resolves Grafana's time zone: the browser's own, UTC, or an IANA name", () => {
    expect(resolveTimeZone('utc')).toBe('UTC');
    expect(resolveTimeZone('Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(resolveTimeZone('browser')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(resolveTimeZone('')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('links a change to the Changes dashboard a quarter hour around it, in its environment', () => {
    expect(changesDashboardUrl(10 * 3_600_000, 11 * 3_600_000, 'production')).toBe(
      `/d/painchain-changes/changes?from=${10 * 3_600_000 - 900_000}&to=${11 * 3_600_000 + 900_000}&var-environment=production`
    );
  });

  it('asks for lead time only when a figure needs it, or for the deploys behind the numbers', () => {
    expect(needsLeadTime({})).toBe(true);
    expect(needsLeadTime({ figures: ['deploysPerDay', 'changeFailureRate'] })).toBe(false);
    expect(needsLeadTime({ figures: ['withoutChain'] })).toBe(true);
    expect(needsLeadTime({ format: 'changes', figures: ['deployments'] })).toBe(true);
  });

  it('names and describes every figure', () => {
    for (const definition of Object.values(FIGURE_DEFINITIONS)) {
      expect(definition.name).not.toBe('');
      expect(definition.description.length).toBeGreaterThan(10);
    }
  });
});
