// Puts the sample history into a collector's store through the ingest pipeline, as any change
// arrives, and takes it out again: only changes carrying every demo mark, nothing else.
import type { AlertLabelMapping } from '../drilldown/grafana-alerts.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { EventStore } from '../store/event-store.js';
import {
  DEMO_EXTERNAL_ID_PREFIX,
  DEMO_STORY_KEYS,
  DEMO_TAG,
  demoHistory,
  isDemoEvent,
} from './demo-history.js';

/** Changes per ingest call: well under the API's batch limit, as a connector would send them. */
const BATCH = 500;
/** Changes read per page while looking for the ones to remove. */
const PAGE = 1_000;

export interface DemoFillResult {
  /** Sample changes stored now. */
  stored: number;
  /** Sample changes of an earlier run that were replaced (they ended at that run's "now"). */
  replaced: number;
  /** The failed production rollout and the alert after it: ids to start a drilldown from. */
  rolloutId: string;
  alertId: string;
}

export interface DemoTarget {
  store: EventStore;
  pipeline: IngestPipeline;
}

/**
 * Replaces the sample history in `tenant` with a fresh week ending at `now`: an earlier run's is
 * removed first, so that running the demo again neither duplicates nor keeps a stale week.
 */
export async function fillDemoData(
  { store, pipeline }: DemoTarget,
  tenant: string,
  labels: AlertLabelMapping,
  now = new Date(),
): Promise<DemoFillResult> {
  const replaced = await removeDemoData(store, tenant);
  const { events } = demoHistory(now, labels);
  const ids: string[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    const result = await pipeline.ingest(tenant, events.slice(i, i + BATCH));
    ids.push(...result.ids);
  }
  const idOf = (key: string) => {
    const index = events.findIndex((e) => e.externalId === `${DEMO_EXTERNAL_ID_PREFIX}${key}`);
    return ids[index]!;
  };
  return {
    stored: events.length,
    replaced,
    rolloutId: idOf(DEMO_STORY_KEYS.rollout),
    alertId: idOf(DEMO_STORY_KEYS.alert),
  };
}

/** Deletes the sample changes of `tenant` (those with every demo mark); returns how many. */
export async function removeDemoData(store: EventStore, tenant: string): Promise<number> {
  const ids: string[] = [];
  let after: Parameters<EventStore['list']>[3];
  do {
    const page = await store.list(tenant, { tag: [DEMO_TAG] }, PAGE, after);
    ids.push(...page.events.filter(isDemoEvent).map((e) => e.id));
    after = page.next;
  } while (after);
  return store.deleteMany(tenant, ids);
}
