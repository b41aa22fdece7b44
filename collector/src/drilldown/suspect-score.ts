// How much one change may explain an incident, as a score from 0 to 100 and the reasons behind
// it in words: closeness in time (halving every `halfLifeMinutes`), the kind of change, whether
// it touched the same service, environment and project, and its status. Pure: no I/O.
import type { ChangeEvent, ChangeKind } from '@painchain/sdk';

export interface ScoreWeights {
  halfLifeMinutes: number;
  kinds: Readonly<Record<ChangeKind, number>>;
}

/** What the incident is about: the alert's scope, or the query's. */
export interface IncidentScope {
  at: Date;
  service?: string;
  environment?: string;
  project?: string;
}

export interface ScoreFactors {
  time: number;
  kind: number;
  scope: number;
  status: number;
}

/** What a score reads of a change: no title, refs or data (the ranking reads no more). */
export type ScoredChange = Pick<
  ChangeEvent,
  'kind' | 'status' | 'service' | 'environment' | 'project' | 'timestamp' | 'endTimestamp'
>;

export interface Score {
  score: number;
  factors: ScoreFactors;
  reasons: string[];
}

/** Changes to what runs rank above changes to code that may not have shipped. */
export const DEFAULT_KIND_WEIGHTS: Readonly<Record<ChangeKind, number>> = {
  deploy: 1,
  rollback: 1,
  config: 0.9,
  feature_flag: 0.9,
  infra: 0.8,
  scale: 0.6,
  release: 0.5,
  merge: 0.45,
  pipeline: 0.35,
  pull_request: 0.25,
  push: 0.25,
  tag: 0.25,
  other: 0.3,
  alert: 0,
  incident: 0,
};
export const DEFAULT_HALF_LIFE_MINUTES = 30;

/** Multipliers for the scope match, named so that docs/drilldown.md can quote them. */
export const SCOPE_FACTORS = {
  sameService: 1,
  otherService: 0.25,
  unknownService: 0.5,
  sameEnvironment: 1,
  otherEnvironment: 0.2,
  unknownEnvironment: 0.7,
  sameProject: 1,
  otherProject: 0.6,
} as const;
export const STATUS_FACTORS = {
  failed: 1.3,
  open: 1.2,
  cancelled: 0.6,
  other: 1,
} as const;

const PAST: Record<ChangeKind, string> = {
  deploy: 'deployed',
  rollback: 'rolled back',
  config: 'configuration changed',
  feature_flag: 'feature flag changed',
  infra: 'infrastructure changed',
  scale: 'scaled',
  release: 'released',
  merge: 'merged',
  pipeline: 'pipeline ran',
  pull_request: 'pull request updated',
  push: 'pushed',
  tag: 'tagged',
  other: 'changed',
  alert: 'alerted',
  incident: 'incident opened',
};

/** `12 min`, `2 h 5 min`, `3 d`: how a person says a delay. */
export function spokenDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

const isOpenStatus = (change: ScoredChange) =>
  change.status === 'started' || change.status === 'in_progress';

/** Was the change still running at `at`: not finished, or finished only after it? */
export function openAt(change: ScoredChange, at: Date): boolean {
  if (Date.parse(change.timestamp) > at.getTime()) return false;
  if (change.endTimestamp) return Date.parse(change.endTimestamp) >= at.getTime();
  return isOpenStatus(change);
}

export function scoreChange(
  change: ScoredChange,
  scope: IncidentScope,
  weights: ScoreWeights,
): Score {
  const reasons: string[] = [];
  const kind = (change.kind ?? 'other') as ChangeKind;
  const at = scope.at.getTime();
  const open = openAt(change, scope.at);

  // Time: a change still running at the alert counts as "now".
  const before = open ? 0 : Math.max(0, at - Date.parse(change.timestamp));
  const time = 0.5 ** (before / 60_000 / weights.halfLifeMinutes);
  const where = change.environment ? ` to ${change.environment}` : '';
  const verb = kind === 'deploy' || kind === 'rollback' ? `${PAST[kind]}${where}` : PAST[kind];
  reasons.push(
    open
      ? `${kind === 'deploy' || kind === 'rollback' ? 'rollout' : 'change'} still in progress at alert time (${verb} ${spokenDuration(at - Date.parse(change.timestamp))} before)`
      : `${verb} ${spokenDuration(before)} before the alert`,
  );

  const kindWeight = weights.kinds[kind] ?? weights.kinds.other;

  let scopeFactor = 1;
  if (scope.service) {
    if (change.service === scope.service) {
      reasons.push(`same service: ${scope.service}`);
    } else if (change.service) {
      scopeFactor *= SCOPE_FACTORS.otherService;
      reasons.push(`another service: ${change.service}`);
    } else {
      scopeFactor *= SCOPE_FACTORS.unknownService;
      reasons.push('service not known');
    }
  }
  if (scope.environment) {
    if (change.environment === scope.environment) {
      reasons.push(`same environment: ${scope.environment}`);
    } else if (change.environment) {
      scopeFactor *= SCOPE_FACTORS.otherEnvironment;
      reasons.push(`another environment: ${change.environment}, not ${scope.environment}`);
    } else {
      scopeFactor *= SCOPE_FACTORS.unknownEnvironment;
      reasons.push('environment not known');
    }
  }
  if (scope.project) {
    if (change.project === scope.project) reasons.push(`same project: ${scope.project}`);
    else scopeFactor *= SCOPE_FACTORS.otherProject;
  }

  let status: number = STATUS_FACTORS.other;
  if (change.status === 'failed') {
    status = STATUS_FACTORS.failed;
    reasons.push('it failed');
  } else if (open) {
    status = STATUS_FACTORS.open;
  } else if (change.status === 'cancelled') {
    status = STATUS_FACTORS.cancelled;
    reasons.push('it was cancelled');
  }

  const raw = 100 * time * kindWeight * scopeFactor * status;
  return {
    score: Math.min(100, Math.round(raw * 10) / 10),
    factors: {
      time: round(time),
      kind: kindWeight,
      scope: round(scopeFactor),
      status,
    },
    reasons,
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * scoreChange's score before rounding, as a SQL expression over a row of `events`, so that the
 * store can tell which candidates cannot reach a threshold without sending them: the same factors,
 * from the same weights and constants. `bind` adds a parameter and returns its placeholder. A
 * change to scoreChange is a change to this (test/suspect-ceiling.test.ts compares the two).
 */
export function scoreSql(
  scope: IncidentScope,
  weights: ScoreWeights,
  bind: (value: unknown) => string,
): string {
  const number = (value: number) => `${bind(value)}::float8`;
  const at = `${bind(scope.at)}::timestamptz`;
  const open =
    `(ts <= ${at} AND coalesce(CASE WHEN end_ts IS NOT NULL THEN end_ts >= ${at}` +
    ` ELSE status IN ('started', 'in_progress') END, false))`;
  // date_part answers a float; extract, a numeric, several times slower over hundreds of rows.
  const minutesBefore = `greatest(0, date_part('epoch', ${at} - ts) / 60)`;
  const time = `CASE WHEN ${open} THEN 1 ELSE power(0.5, ${minutesBefore} / ${number(weights.halfLifeMinutes)}) END`;
  const kinds = Object.entries(weights.kinds);
  const kind =
    `coalesce((${bind(kinds.map(([, weight]) => weight))}::float8[])` +
    `[array_position(${bind(kinds.map(([name]) => name))}::text[], kind)], ${number(weights.kinds.other)})`;
  const place = (column: string, value: string | undefined, other: number, unknown: number) =>
    value
      ? `CASE WHEN ${column} = ${bind(value)}::text THEN 1` +
        ` WHEN coalesce(${column}, '') <> '' THEN ${number(other)} ELSE ${number(unknown)} END`
      : '1';
  const service = place(
    'service',
    scope.service,
    SCOPE_FACTORS.otherService,
    SCOPE_FACTORS.unknownService,
  );
  const environment = place(
    'environment',
    scope.environment,
    SCOPE_FACTORS.otherEnvironment,
    SCOPE_FACTORS.unknownEnvironment,
  );
  const project = scope.project
    ? `CASE WHEN project = ${bind(scope.project)}::text THEN 1 ELSE ${number(SCOPE_FACTORS.otherProject)} END`
    : '1';
  const status =
    `CASE WHEN status = 'failed' THEN ${number(STATUS_FACTORS.failed)}` +
    ` WHEN ${open} THEN ${number(STATUS_FACTORS.open)}` +
    ` WHEN status = 'cancelled' THEN ${number(STATUS_FACTORS.cancelled)}` +
    ` ELSE ${number(STATUS_FACTORS.other)} END`;
  return `(100 * (${time}) * ${kind} * (${service}) * (${environment}) * (${project}) * (${status}))`;
}
