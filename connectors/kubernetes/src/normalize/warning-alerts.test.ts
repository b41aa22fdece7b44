// Warning Events become one alert per object and reason per window, counted once.
import type { CoreV1Event } from '@kubernetes/client-node';
import type { Wire } from '../kube-object.js';
import {
  emptyAlertState,
  observeWarning,
  pruneAlerts,
  SEEN_RETENTION_MS,
} from './warning-alerts.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const ctx = {
  cluster: 'prod',
  windowMs: 10 * 60_000,
  reasons: new Set(['BackOff', 'FailedScheduling']),
  now: () => new Date(T0),
  workloadOf: (namespace: string, pod: string) =>
    namespace === 'default' && pod.startsWith('nginx-deployment-')
      ? { workload: 'Deployment/nginx-deployment', service: 'nginx' }
      : undefined,
};

const event = (
  pod: string,
  count: number,
  minute: number,
  reason = 'BackOff',
): Wire<CoreV1Event> => ({
  metadata: { name: `${pod}.17a1`, namespace: 'default', uid: `ev-${pod}-${reason}` },
  involvedObject: { kind: 'Pod', name: pod, namespace: 'default' },
  reason,
  message: 'Back-off restarting failed container',
  type: 'Warning',
  count,
  lastTimestamp: at(minute),
});

describe('warning alerts', () => {
  it('folds the pods of a workload into one alert whose count and end grow within the window', () => {
    const state = emptyAlertState();
    const first = observeWarning(state, event('nginx-deployment-66b6c48dd5-abcde', 1, 0), ctx)!;
    const second = observeWarning(state, event('nginx-deployment-66b6c48dd5-fghij', 2, 3), ctx)!;
    expect(second).toMatchObject({
      externalId: first.externalId,
      kind: 'alert',
      service: 'nginx',
      project: 'prod/default',
      title:
        'BackOff ×3 on default/Deployment/nginx-deployment: Back-off restarting failed container',
      timestamp: at(0),
      endTimestamp: at(3),
      data: expect.objectContaining({
        count: 3,
        pods: ['nginx-deployment-66b6c48dd5-abcde', 'nginx-deployment-66b6c48dd5-fghij'],
      }),
    });
  });

  it('counts an Event seen again (a relist) not at all, and only its new occurrences when it grew', () => {
    const state = emptyAlertState();
    observeWarning(state, event('nginx-deployment-66b6c48dd5-abcde', 4, 0), ctx);
    expect(
      observeWarning(state, event('nginx-deployment-66b6c48dd5-abcde', 4, 0), ctx),
    ).toBeUndefined();
    expect(
      observeWarning(state, event('nginx-deployment-66b6c48dd5-abcde', 6, 2), ctx)?.data?.count,
    ).toBe(6);
  });

  it('opens a new alert after the window and ignores Normal events and other reasons', () => {
    const state = emptyAlertState();
    const first = observeWarning(state, event('nginx-deployment-66b6c48dd5-abcde', 1, 0), ctx)!;
    const later = observeWarning(state, event('nginx-deployment-66b6c48dd5-abcde', 2, 12), ctx)!;
    expect(later.externalId).not.toBe(first.externalId);
    expect(observeWarning(state, { ...event('x', 1, 0), type: 'Normal' }, ctx)).toBeUndefined();
    expect(observeWarning(state, event('y', 1, 0, 'Pulled'), ctx)).toBeUndefined();
  });

  it('forgets Events the API server no longer keeps', () => {
    const state = emptyAlertState();
    observeWarning(state, event('nginx-deployment-66b6c48dd5-abcde', 1, 0), ctx);
    expect(pruneAlerts(state, T0 + SEEN_RETENTION_MS + 1, ctx.windowMs)).toBe(true);
    expect(state).toEqual(emptyAlertState());
  });
});
