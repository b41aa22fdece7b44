// A heartbeat built from any supervisor snapshot is one the collector accepts, and the status
// the collector derives from it says when the connector fell silent.
import { Compile } from 'typebox/compile';
import { ConnectorStatus } from './connector-status.js';
import type { SupervisorSnapshot } from './connector-supervisor.js';
import {
  HEARTBEAT_LIMITS,
  Heartbeat,
  MISSED_HEARTBEATS,
  heartbeatOf,
  statusFromHeartbeat,
  type HeartbeatRecord,
} from './heartbeat.js';

const heartbeatSchema = Compile(Heartbeat);
const statusSchema = Compile(ConnectorStatus);

const problemsOf = (validator: typeof heartbeatSchema | typeof statusSchema, value: unknown) =>
  [...validator.Errors(value)].map((error) => `${error.instancePath} ${error.message}`);

const SEEN = new Date('2026-11-25T10:00:00.000Z');

function snapshot(extra: Partial<SupervisorSnapshot> = {}): SupervisorSnapshot {
  return {
    state: 'running',
    restarts: 1,
    startedAt: '2026-11-25T09:00:00.000Z',
    lastError: { message: '502 Bad Gateway', at: '2026-11-25T08:59:00.000Z' },
    nextRestartAt: null,
    health: {
      message: 'polling 2 repositories',
      lastSyncAt: '2026-11-25T09:59:00.000Z',
      lagSeconds: 60,
      progress: { phase: 'backfill', done: 1, total: 2, unit: 'repositories', percent: 50 },
      details: { repositories: 2, failing: 0, rateLimitRemaining: 4999 },
    },
    eventsEmitted: 42,
    lastEventAt: '2026-11-25T09:58:00.000Z',
    ...extra,
  };
}

function record(report: Heartbeat, intervalSeconds = 30): HeartbeatRecord {
  return { name: 'github-acme', tenant: 'default', report, intervalSeconds, lastSeenAt: SEEN };
}

describe('heartbeatOf', () => {
  test('turns a snapshot into a heartbeat the collector accepts', () => {
    const heartbeat = heartbeatOf('github', snapshot(), 30);
    expect(problemsOf(heartbeatSchema, heartbeat)).toEqual([]);
    expect(heartbeat).toEqual({
      type: 'github',
      state: 'running',
      intervalSeconds: 30,
      restarts: 1,
      startedAt: '2026-11-25T09:00:00.000Z',
      lastError: { message: '502 Bad Gateway', at: '2026-11-25T08:59:00.000Z' },
      health: {
        message: 'polling 2 repositories',
        lastSyncAt: '2026-11-25T09:59:00.000Z',
        progress: { phase: 'backfill', done: 1, total: 2, unit: 'repositories' },
        details: { repositories: 2, failing: 0, rateLimitRemaining: 4999 },
      },
      eventsEmitted: 42,
      lastEventAt: '2026-11-25T09:58:00.000Z',
    });
  });

  test('a fresh snapshot without health, error or progress is valid too', () => {
    const heartbeat = heartbeatOf(
      'github',
      snapshot({
        state: 'starting',
        restarts: 0,
        startedAt: null,
        lastError: null,
        lastEventAt: null,
        eventsEmitted: 0,
        health: {
          message: null,
          lastSyncAt: null,
          lagSeconds: null,
          progress: null,
          details: {},
        },
      }),
      30,
    );
    expect(problemsOf(heartbeatSchema, heartbeat)).toEqual([]);
  });

  test('cuts over-long texts and too many details to the limits, so the heartbeat stays valid', () => {
    const manyDetails = Object.fromEntries(
      Array.from({ length: HEARTBEAT_LIMITS.detailKeys + 10 }, (_, i) => [`detail${i}`, i]),
    );
    const longKey = 'k'.repeat(200);
    const heartbeat = heartbeatOf(
      'github',
      snapshot({
        lastError: { message: 'e'.repeat(5_000), at: '2026-11-25T08:59:00.000Z' },
        health: {
          message: 'm'.repeat(5_000),
          lastSyncAt: null,
          lagSeconds: null,
          progress: {
            phase: 'p'.repeat(500),
            done: 3,
            total: null,
            unit: 'u'.repeat(500),
            percent: null,
          },
          details: { [longKey]: 't'.repeat(5_000), ...manyDetails },
        },
      }),
      30,
    );

    expect(problemsOf(heartbeatSchema, heartbeat)).toEqual([]);
    expect(heartbeat.lastError!.message).toHaveLength(HEARTBEAT_LIMITS.message);
    expect(heartbeat.health!.message).toHaveLength(HEARTBEAT_LIMITS.message);
    expect(heartbeat.health!.progress!.phase).toHaveLength(HEARTBEAT_LIMITS.phase);
    expect(heartbeat.health!.progress!.unit).toHaveLength(HEARTBEAT_LIMITS.unit);
    const details = heartbeat.health!.details!;
    expect(Object.keys(details)).toHaveLength(HEARTBEAT_LIMITS.detailKeys);
    expect(details['k'.repeat(HEARTBEAT_LIMITS.detailKey)]).toBe(
      't'.repeat(HEARTBEAT_LIMITS.detailText),
    );
  });
});

describe('statusFromHeartbeat', () => {
  const silence = (seconds: number) => new Date(SEEN.getTime() + seconds * 1000);

  test(`is unresponsive once more than ${MISSED_HEARTBEATS} intervals passed without a heartbeat`, () => {
    const report = heartbeatOf('github', snapshot(), 30);
    expect(statusFromHeartbeat(record(report), silence(30)).state).toBe('running');
    expect(statusFromHeartbeat(record(report), silence(30 * MISSED_HEARTBEATS)).state).toBe(
      'running',
    );
    expect(statusFromHeartbeat(record(report), silence(30 * MISSED_HEARTBEATS + 1)).state).toBe(
      'unresponsive',
    );
    // The interval is the one the connector announced, not a fixed one.
    expect(statusFromHeartbeat(record(report, 300), silence(600)).state).toBe('running');
  });

  test('a connector that said it stopped stays stopped, however long it is silent', () => {
    const report = heartbeatOf('github', snapshot({ state: 'stopped' }), 30);
    expect(statusFromHeartbeat(record(report), silence(86_400)).state).toBe('stopped');
  });

  test('progress percent is rounded down to a tenth of a percent', () => {
    const percentAt = (done: number, total: number) => {
      const report: Heartbeat = {
        type: 'github',
        state: 'running',
        health: { progress: { phase: 'backfill', done, total, unit: 'repositories' } },
      };
      return statusFromHeartbeat(record(report), SEEN).health.progress?.percent;
    };
    expect(percentAt(2, 3)).toBe(66.6);
    expect(percentAt(1, 3)).toBe(33.3);
    expect(percentAt(999, 1000)).toBe(99.9);
    expect(percentAt(9_999, 10_000)).toBe(99.9);
    expect(percentAt(3, 3)).toBe(100);
  });

  test('gives a status the connectors API can return, with the time of the last heartbeat', () => {
    // As the route stores it: the heartbeat went over the wire as JSON.
    const report = JSON.parse(JSON.stringify(heartbeatOf('github', snapshot(), 30))) as Heartbeat;
    const status = statusFromHeartbeat(record(report), silence(45));

    expect(problemsOf(statusSchema, status)).toEqual([]);
    expect(status).toEqual({
      name: 'github-acme',
      type: 'github',
      tenant: 'default',
      mode: 'standalone',
      state: 'running',
      restarts: 1,
      startedAt: '2026-11-25T09:00:00.000Z',
      lastError: { message: '502 Bad Gateway', at: '2026-11-25T08:59:00.000Z' },
      nextRestartAt: null,
      health: {
        message: 'polling 2 repositories',
        lastSyncAt: '2026-11-25T09:59:00.000Z',
        lagSeconds: 105,
        progress: { phase: 'backfill', done: 1, total: 2, unit: 'repositories', percent: 50 },
        details: {
          repositories: 2,
          failing: 0,
          rateLimitRemaining: 4999,
          lastHeartbeatAt: SEEN.toISOString(),
        },
      },
      eventsEmitted: 42,
      lastEventAt: '2026-11-25T09:58:00.000Z',
    });
  });

  test('a minimal heartbeat gives a valid status with nulls and zeros', () => {
    const status = statusFromHeartbeat(record({ type: 'github', state: 'starting' }), SEEN);
    expect(problemsOf(statusSchema, status)).toEqual([]);
    expect(status).toMatchObject({
      state: 'starting',
      restarts: 0,
      startedAt: null,
      lastError: null,
      eventsEmitted: 0,
      lastEventAt: null,
      health: { message: null, lastSyncAt: null, lagSeconds: null, progress: null },
    });
  });
});
