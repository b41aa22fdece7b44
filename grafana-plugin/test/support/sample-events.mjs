// The sample changes of test/data/sample-events.json as ingestible events, timed relative to `now`
// (plain JavaScript: the collector's global setup loads it without a TypeScript step).
import { readFileSync } from 'node:fs';

const file = new URL('../data/sample-events.json', import.meta.url);

/** @param {number} [now] epoch ms */
export function sampleEvents(now = Date.now()) {
  const { events } = JSON.parse(readFileSync(file, 'utf8'));
  const at = (minutesAgo) => new Date(now - minutesAgo * 60_000).toISOString();
  return events.map(({ minutesAgo, durationMinutes, data, ...event }) => ({
    ...event,
    timestamp: at(minutesAgo),
    ...(durationMinutes ? { endTimestamp: at(Math.max(0, minutesAgo - durationMinutes)) } : {}),
    // "REL:-158" in data: a time 158 minutes ago, so nested times render as real ones.
    data: JSON.parse(JSON.stringify(data).replace(/"REL:-(\d+)"/g, (_, m) => JSON.stringify(at(Number(m))))),
  }));
}
