// The CDEvents v0.5.1 envelope (context, subject) and the subject content of every type PainChain
// records, as TypeBox schemas written from the specification's JSON schemas (cdevents.dev,
// schemas/*.json of spec v0.5.1). Content is checked per type once the type is known.
import { Type, type Static, type TSchema } from 'typebox';

/** The specification version these schemas follow. */
export const CDEVENTS_SPEC_VERSION = '0.5.1';

/** `dev.cdevents.<subject>.<predicate>.<version>`; the version is semver. */
export const CDEVENT_TYPE =
  /^dev\.cdevents\.([a-z]+)\.([a-z]+)\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

const NonEmpty = Type.String({ minLength: 1 });

export const CDEventContext = Type.Object(
  {
    specversion: NonEmpty,
    id: NonEmpty,
    source: Type.String({ minLength: 1, description: 'URI-reference of the producer' }),
    type: Type.String({ pattern: CDEVENT_TYPE.source }),
    timestamp: Type.String({ minLength: 1, description: 'RFC 3339' }),
    schemaUri: Type.Optional(NonEmpty),
    chainId: Type.Optional(NonEmpty),
    links: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: false },
);

export const CDEvent = Type.Object(
  {
    context: CDEventContext,
    subject: Type.Object(
      {
        id: NonEmpty,
        source: Type.Optional(NonEmpty),
        // Spec v0.4 and earlier carried the subject's type; v0.5 dropped it. Accepted, unused.
        type: Type.Optional(NonEmpty),
        content: Type.Record(Type.String(), Type.Unknown()),
      },
      { additionalProperties: false },
    ),
    customData: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String()]),
    ),
    customDataContentType: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type CDEvent = Static<typeof CDEvent>;

/** A reference to another subject (`environment`, `service`, `repository`). */
const Ref = Type.Object(
  { id: NonEmpty, source: Type.Optional(NonEmpty) },
  { additionalProperties: false },
);
const content = (properties: Record<string, TSchema>) =>
  Type.Object(properties, { additionalProperties: false });
const Opt = Type.Optional;

const ChangeContent = content({ repository: Opt(Ref) });
const EnvironmentContent = content({ name: Opt(Type.String()), uri: Opt(Type.String()) });
const ServiceContent = content({ environment: Ref, artifactId: NonEmpty });
const IncidentFields = {
  description: Opt(Type.String()),
  environment: Ref,
  service: Opt(Ref),
  artifactId: Opt(Type.String()),
};

/** Subject content by `<subject>.<predicate>`: the types PainChain records. */
export const SUPPORTED_CONTENT: Readonly<Record<string, TSchema>> = {
  'change.created': content({ description: Opt(Type.String()), repository: Opt(Ref) }),
  'change.updated': ChangeContent,
  'change.reviewed': ChangeContent,
  'change.merged': ChangeContent,
  'change.abandoned': ChangeContent,
  'pipelinerun.queued': content({ pipelineName: Opt(Type.String()), uri: Opt(Type.String()) }),
  'pipelinerun.started': content({ pipelineName: Type.String(), uri: Type.String() }),
  'pipelinerun.finished': content({
    pipelineName: Opt(Type.String()),
    uri: Opt(Type.String()),
    outcome: Opt(Type.Enum(['success', 'failure', 'cancel', 'error'])),
    errors: Opt(Type.String()),
  }),
  'build.queued': content({}),
  'build.started': content({}),
  'build.finished': content({ artifactId: Opt(Type.String()) }),
  'artifact.published': content({
    sbom: Opt(Type.Object({ uri: Type.String() }, { additionalProperties: false })),
    user: Opt(Type.String()),
  }),
  'service.deployed': ServiceContent,
  'service.upgraded': ServiceContent,
  'service.rolledback': ServiceContent,
  'service.removed': content({ environment: Opt(Ref) }),
  'environment.created': EnvironmentContent,
  'environment.modified': EnvironmentContent,
  'environment.deleted': content({ name: Opt(Type.String()) }),
  'incident.detected': content(IncidentFields),
  'incident.reported': content({ ...IncidentFields, ticketURI: NonEmpty }),
  'incident.resolved': content(IncidentFields),
};
