// Change events for tests: a valid one by default, any field overridden.

/** A fixed instant an hour ago: recent enough for every query window, never in the future. */
export const RECENT = new Date(Date.now() - 60 * 60 * 1000);

/** A valid event, `overrides` applied. Times default to RECENT. */
export function anEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Deploy api v1.2.3',
    connector: 'ci',
    project: 'acme/api',
    kind: 'deploy',
    timestamp: RECENT.toISOString(),
    ...overrides,
  };
}
