// A CDEvent (v0.5.1) as a PainChain change: which kind and status its type means, which change
// it belongs to (so that a pipeline run's queued → started → finished is one change whose status
// moves), and the title, links and references people read. Pure functions; docs/cdevents.md has
// the same table.
import type { ChangeEventInput, ChangeKind, ChangeStatus } from '@painchain/sdk';
import { Compile } from 'typebox/compile';
import type { Problem } from '../normalize.js';
import { parseInstant } from '../normalize.js';
import { schemaProblems } from '../schema-problems.js';
import { CDEVENT_TYPE, CDEvent, SUPPORTED_CONTENT } from './cdevent-schema.js';

/** The `connector` of every change that came in as a CDEvent. */
export const CDEVENTS_CONNECTOR = 'cdevents';
/** Long error text of a failed run is cut: the source keeps the rest. */
const MAX_ERRORS_LENGTH = 1000;

export type CDEventOutcome =
  | { readonly status: 'mapped'; readonly type: string; readonly event: ChangeEventInput }
  | { readonly status: 'ignored'; readonly type: string; readonly reason: string }
  | { readonly status: 'invalid'; readonly problems: Problem[] };

interface Rule {
  kind: ChangeKind;
  /** The status the type means; finished runs read theirs from `outcome`. */
  status: (content: Record<string, unknown>) => ChangeStatus;
  /** One change across the subject's life (keyed by subject), or one per event (keyed by context id). */
  lifecycle: boolean;
  /** The type ends what its subject does: endTimestamp is set. */
  ends: boolean;
}

const fixed = (status: ChangeStatus) => (): ChangeStatus => status;

const OUTCOME_STATUS: Record<string, ChangeStatus> = {
  success: 'succeeded',
  failure: 'failed',
  error: 'failed',
  cancel: 'cancelled',
};

export const RULES: Readonly<Record<string, Rule>> = {
  'change.created': {
    kind: 'pull_request',
    status: fixed('started'),
    lifecycle: true,
    ends: false,
  },
  'change.updated': {
    kind: 'pull_request',
    status: fixed('in_progress'),
    lifecycle: true,
    ends: false,
  },
  'change.reviewed': {
    kind: 'pull_request',
    status: fixed('in_progress'),
    lifecycle: true,
    ends: false,
  },
  'change.merged': {
    kind: 'pull_request',
    status: fixed('succeeded'),
    lifecycle: true,
    ends: true,
  },
  'change.abandoned': {
    kind: 'pull_request',
    status: fixed('cancelled'),
    lifecycle: true,
    ends: true,
  },
  'pipelinerun.queued': {
    kind: 'pipeline',
    status: fixed('started'),
    lifecycle: true,
    ends: false,
  },
  'pipelinerun.started': {
    kind: 'pipeline',
    status: fixed('in_progress'),
    lifecycle: true,
    ends: false,
  },
  'pipelinerun.finished': {
    kind: 'pipeline',
    status: (c) => OUTCOME_STATUS[String(c.outcome)] ?? 'unknown',
    lifecycle: true,
    ends: true,
  },
  'build.queued': { kind: 'pipeline', status: fixed('started'), lifecycle: true, ends: false },
  'build.started': { kind: 'pipeline', status: fixed('in_progress'), lifecycle: true, ends: false },
  // build.finished says nothing of success; an artifact it produced is the sign it worked.
  'build.finished': {
    kind: 'pipeline',
    status: (c) => (typeof c.artifactId === 'string' && c.artifactId ? 'succeeded' : 'unknown'),
    lifecycle: true,
    ends: true,
  },
  'artifact.published': {
    kind: 'release',
    status: fixed('succeeded'),
    lifecycle: false,
    ends: false,
  },
  'service.deployed': { kind: 'deploy', status: fixed('succeeded'), lifecycle: false, ends: false },
  'service.upgraded': { kind: 'deploy', status: fixed('succeeded'), lifecycle: false, ends: false },
  'service.rolledback': {
    kind: 'rollback',
    status: fixed('succeeded'),
    lifecycle: false,
    ends: false,
  },
  'service.removed': { kind: 'deploy', status: fixed('succeeded'), lifecycle: false, ends: false },
  'environment.created': {
    kind: 'infra',
    status: fixed('succeeded'),
    lifecycle: false,
    ends: false,
  },
  'environment.modified': {
    kind: 'infra',
    status: fixed('succeeded'),
    lifecycle: false,
    ends: false,
  },
  'environment.deleted': {
    kind: 'infra',
    status: fixed('succeeded'),
    lifecycle: false,
    ends: false,
  },
  'incident.detected': { kind: 'incident', status: fixed('started'), lifecycle: true, ends: false },
  'incident.reported': {
    kind: 'incident',
    status: fixed('in_progress'),
    lifecycle: true,
    ends: false,
  },
  'incident.resolved': {
    kind: 'incident',
    status: fixed('succeeded'),
    lifecycle: true,
    ends: true,
  },
};

export const SUPPORTED_TYPES = Object.keys(RULES);

const checkEnvelope = Compile(CDEvent);
const checkContent = Object.fromEntries(
  Object.entries(SUPPORTED_CONTENT).map(([key, schema]) => [key, Compile(schema)]),
);

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const refId = (value: unknown): string | undefined =>
  value && typeof value === 'object' ? str((value as { id?: unknown }).id) : undefined;

/**
 * A container image from a package URL (the spec's artifactId): pkg:oci/app@sha256:…?repository_url=ghcr.io/acme/app
 * → ghcr.io/acme/app@sha256:…, pkg:docker/acme/app@1.2 → acme/app:1.2. Undefined for other packages.
 */
export function imageOfPurl(purl: string): string | undefined {
  const match = /^pkg:(oci|docker)\/([^@?#]+)(?:@([^?#]+))?(?:\?([^#]*))?/.exec(purl);
  if (!match) return undefined;
  const [, type, path, rawVersion, query] = match;
  const name = decodeURIComponent(path!);
  const version = rawVersion === undefined ? undefined : decodeURIComponent(rawVersion);
  const repository = new URLSearchParams(query ?? '').get('repository_url');
  // An OCI purl's name is the last path segment only; repository_url is the full location.
  const base = repository ?? (type === 'oci' ? name.split('/').pop()! : name);
  if (version === undefined) return base;
  return version.includes(':') ? `${base}@${version}` : `${base}:${version}`;
}

/** The version part of a package URL (`pkg:npm/app@1.2.3` → 1.2.3). */
export function versionOfPurl(purl: string): string | undefined {
  const match = /^pkg:[^/]+\/[^@?#]+@([^?#]+)/.exec(purl);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

function title(key: string, event: CDEvent, project: string): string {
  const { subject } = event;
  const c = subject.content;
  const predicate = key.split('.')[1]!;
  const environment = refId(c.environment);
  const artifact = str(c.artifactId);
  const shortArtifact = artifact ? (imageOfPurl(artifact) ?? artifact) : undefined;
  switch (key.split('.')[0]) {
    case 'change':
      return `Change ${subject.id} ${predicate === 'created' ? 'opened' : predicate} in ${project}`;
    case 'pipelinerun': {
      const name = str(c.pipelineName) ?? subject.id;
      if (predicate !== 'finished') return `Pipeline ${name} ${predicate}`;
      const outcome = str(c.outcome);
      const word =
        outcome === 'success'
          ? 'succeeded'
          : outcome === 'failure'
            ? 'failed'
            : outcome === 'error'
              ? 'errored'
              : outcome === 'cancel'
                ? 'cancelled'
                : 'finished';
      return `Pipeline ${name} ${word}`;
    }
    case 'build':
      return `Build ${subject.id} ${predicate}`;
    case 'artifact':
      return `Artifact ${imageOfPurl(subject.id) ?? subject.id} published`;
    case 'service': {
      const where = environment ? ` ${predicate === 'removed' ? 'from' : 'in'} ${environment}` : '';
      if (predicate === 'deployed')
        return `Deployed ${subject.id}${shortArtifact ? ` (${shortArtifact})` : ''}${environment ? ` to ${environment}` : ''}`;
      if (predicate === 'upgraded') return `Upgraded ${subject.id} to ${shortArtifact}${where}`;
      if (predicate === 'rolledback')
        return `Rolled back ${subject.id} to ${shortArtifact}${where}`;
      return `Removed ${subject.id}${where}`;
    }
    case 'environment':
      return `Environment ${str(c.name) ?? subject.id} ${predicate}`;
    default: {
      const description = str(c.description);
      return `Incident ${subject.id} ${predicate}${environment ? ` in ${environment}` : ''}${description ? `: ${description}` : ''}`;
    }
  }
}

/**
 * Checks a CDEvent and maps it. `path` is the JSON pointer of the CDEvent in the request body
 * (`/data` in a structured CloudEvent), prefixed to every problem.
 */
export function mapCDEvent(value: unknown, path = ''): CDEventOutcome {
  if (!checkEnvelope.Check(value)) {
    return { status: 'invalid', problems: schemaProblems(checkEnvelope.Errors(value), path) };
  }
  const event = value;
  const { context, subject } = event;
  const [, subjectType, predicate] = CDEVENT_TYPE.exec(context.type)!;
  const key = `${subjectType}.${predicate}`;
  const rule = RULES[key];
  if (!rule) {
    return {
      status: 'ignored',
      type: context.type,
      reason: `${context.type} is not a change PainChain records; it records ${SUPPORTED_TYPES.join(', ')}`,
    };
  }
  const problems = checkContent[key]!.Check(subject.content)
    ? []
    : schemaProblems(checkContent[key]!.Errors(subject.content), `${path}/subject/content`);
  const at = parseInstant(context.timestamp);
  if (typeof at === 'string')
    problems.push({ path: `${path}/context/timestamp`, message: `timestamp ${at}` });
  if (problems.length > 0 || typeof at === 'string') return { status: 'invalid', problems };

  const c = subject.content;
  const source = subject.source ?? context.source;
  const project = (subjectType === 'change' ? refId(c.repository) : undefined) ?? source;
  // An artifact event's subject is the artifact (a package URL); others name it in content.
  const artifact = subjectType === 'artifact' ? subject.id : str(c.artifactId);
  const environment =
    subjectType === 'environment' ? (str(c.name) ?? subject.id) : refId(c.environment);
  const service =
    subjectType === 'service'
      ? subject.id
      : subjectType === 'incident'
        ? refId(c.service)
        : undefined;
  const time = at.toISOString();
  const image = artifact ? imageOfPurl(artifact) : undefined;
  const version = artifact ? versionOfPurl(artifact) : undefined;
  const errors = str(c.errors);

  const input: ChangeEventInput = {
    connector: CDEVENTS_CONNECTOR,
    // One change per subject across its life; a deploy, an artifact, an environment edit is one
    // change per event, whatever its subject (a service is deployed many times).
    externalId: rule.lifecycle
      ? `${subjectType}:${source}:${subject.id}`
      : `event:${context.source}:${context.id}`,
    kind: rule.kind,
    status: rule.status(c),
    title: title(key, event, project),
    project,
    timestamp: time,
    ...(rule.ends ? { endTimestamp: time } : {}),
    updatedAt: time,
    ...(str(c.description) ? { description: str(c.description) } : {}),
    ...(service ? { service } : {}),
    ...(environment ? { environment } : {}),
    ...(str(c.uri) ? { url: str(c.uri) } : str(c.ticketURI) ? { url: str(c.ticketURI) } : {}),
    ...(str(c.user) ? { author: str(c.user) } : {}),
    refs: {
      ...(subjectType === 'pipelinerun' || subjectType === 'build' ? { pipeline: subject.id } : {}),
      ...(subjectType === 'change' ? { pullRequest: subject.id } : {}),
      ...(image ? { image } : {}),
      ...(version ? { version } : {}),
    },
    data: {
      cdevent: {
        type: context.type,
        id: context.id,
        source: context.source,
        subject: subject.id,
        ...(subject.source ? { subjectSource: subject.source } : {}),
        ...(context.chainId ? { chainId: context.chainId } : {}),
      },
      ...(str(c.pipelineName) ? { pipelineName: str(c.pipelineName) } : {}),
      ...(str(c.outcome) ? { outcome: str(c.outcome) } : {}),
      ...(errors ? { errors: errors.slice(0, MAX_ERRORS_LENGTH) } : {}),
      ...(artifact ? { artifactId: artifact } : {}),
      ...(subjectType === 'service' ? { deploymentId: context.id } : {}),
    },
  };
  return { status: 'mapped', type: context.type, event: input };
}
