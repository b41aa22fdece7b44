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

/** GET /api/v1/delivery (docs/delivery-metrics.md): the four keys of one slice. */
export interface DeliveryFigures {
  deployments: {
    count: number;
    perDay: number;
    redeploys: number;
    failedRollouts: number;
    inProgress: number;
    ids?: string[];
  };
  /** Absent when the query asked for no lead-time figure (the collector then follows no chain). */
  leadTime?: { count: number; medianSeconds: number | null; p90Seconds: number | null; withoutChain: number };
  changeFailureRate: { rate: number | null; failed: number; deployments: number; ids?: string[] };
  timeToRestore: { count: number; medianSeconds: number | null; p90Seconds: number | null; unrestored: number };
}

export type ServiceDeliveryFigures = DeliveryFigures & { service: string | null };

export interface DeliveryChangeRef {
  id: string;
  kind: string;
  title: string;
  timestamp: string;
}

export interface DeliveryDeploy {
  id: string;
  title: string;
  service: string | null;
  environment: string;
  timestamp: string;
  endTimestamp: string | null;
  status: string | null;
  version: string | null;
  outcome: 'deployment' | 'redeploy' | 'failed' | 'in_progress' | 'cancelled' | 'unknown';
  leadTime?:
    | { seconds: number; from: DeliveryChangeRef; truncated: boolean }
    | { seconds: null; unknown: 'no_chain' | 'no_code_change' };
  failures?: Array<DeliveryChangeRef & { reason: string }>;
}

export interface DeliveryRestoration {
  failure: DeliveryChangeRef & { service: string | null; environment: string };
  alsoFailed: string[];
  restoredAt: string | null;
  restoredBy: DeliveryChangeRef | null;
  seconds: number | null;
}

export interface DeliveryAnswer {
  from: string;
  to: string;
  environments: string[];
  interval: 'day' | 'week';
  timezone: string;
  failureWindowHours: number;
  services: Array<string | null>;
  total: DeliveryFigures;
  byService: ServiceDeliveryFigures[];
  intervals: Array<{ start: string; end: string; total: DeliveryFigures; services: ServiceDeliveryFigures[] }>;
  changes?: { deploys: DeliveryDeploy[]; restorations: DeliveryRestoration[] };
}
