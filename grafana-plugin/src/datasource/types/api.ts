// Answers of the collector API this datasource reads (docs/api.md); the event is the SDK's contract.
import type { ChangeEvent } from '@painchain/sdk';

export type { ChangeEvent, ChangeKind, ChangeStatus } from '@painchain/sdk';

export interface EventsPage {
  events: ChangeEvent[];
  nextCursor: string | null;
}

export interface FacetsAnswer {
  field: string;
  values: Array<{ value: string; count: number }>;
}

export interface ReadyAnswer {
  status: string;
  version: string;
  store: string;
  migrations: string;
}

export interface ConnectorStatusAnswer {
  name: string;
  type: string;
  mode?: string;
  state: string;
  lastError: { message: string; at: string } | null;
  health?: { message: string | null; lastSyncAt: string | null; lagSeconds: number | null } | null;
}

export interface ConnectorsAnswer {
  connectors: ConnectorStatusAnswer[];
}

/** The collector's error body. */
export interface ErrorAnswer {
  error: string;
  message: string;
}

/** What joined two changes of a chain (docs/drilldown.md, "Chains"). */
export type ChainKey = 'commit' | 'pullRequest' | 'pipeline' | 'image' | 'digest' | 'tag';

export interface ChainLink {
  /** The earlier change's id. */
  from: string;
  to: string;
  key: ChainKey | string;
  /** The shared value: a commit SHA, an image, a number. */
  value: string;
}

/** GET /api/v1/events/{id}/chain */
export interface ChainAnswer {
  root: ChangeEvent;
  /** Oldest first, the root included. */
  events: ChangeEvent[];
  links: ChainLink[];
  horizon: { from: string; to: string };
  truncated: boolean;
  maxEvents: number;
}

export interface Suspect {
  event: ChangeEvent;
  /** 0 to 100. */
  score: number;
  factors: { time: number; kind: number; scope: number; status: number; chain?: number };
  /** Short sentences, in the order they count. */
  reasons: string[];
  /** The rollout whose chain this change inherits its score from. */
  via?: { id: string; title: string; key: string; value: string };
}

/** GET /api/v1/suspects */
export interface SuspectsAnswer {
  at: string;
  window: { from: string; to: string };
  scope: { service: string | null; environment: string | null; project: string | null };
  /** The alert the question came from (`?alert=`). */
  alert?: ChangeEvent | null;
  verdict: 'suspects' | 'no_change_correlated';
  message: string;
  threshold: number;
  suspects: Suspect[];
}
