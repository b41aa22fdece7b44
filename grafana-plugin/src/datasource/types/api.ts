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
