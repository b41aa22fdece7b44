// The structural types normalize and the poller read are satisfied by the REST API's own types
// (@octokit/openapi-types): this file compiles only if they are. At run time, the fixtures
// built from those types normalize into valid change events.
import type { components } from '@octokit/openapi-types';
import { assertValidEvents } from '@painchain/sdk/testkit';
import type {
  GhCommit,
  GhDeployment,
  GhDeploymentStatus,
  GhPullRequest,
  GhRelease,
  GhTag,
  GhWorkflowRun,
} from '../src/github-types.js';
import { normalizeDeployment } from '../src/normalize/normalize-deployment.js';
import { normalizePullRequest } from '../src/normalize/normalize-pull-request.js';
import { normalizeCommit } from '../src/normalize/normalize-push.js';
import { normalizeRelease } from '../src/normalize/normalize-release.js';
import { normalizeWorkflowRun } from '../src/normalize/normalize-workflow-run.js';
import * as rest from './rest-fixtures.js';

type S = components['schemas'];
// Compile-time: each REST type is assignable to what we read from it.
type Assignable<From, To> = From extends To ? true : false;
const shapes: [
  Assignable<S['commit'], GhCommit>,
  Assignable<S['pull-request-simple'], GhPullRequest>,
  Assignable<S['workflow-run'], GhWorkflowRun>,
  Assignable<S['deployment'], GhDeployment>,
  Assignable<S['deployment-status'] & { state: string }, GhDeploymentStatus>,
  Assignable<S['release'], GhRelease>,
  Assignable<S['tag'], GhTag>,
] = [true, true, true, true, true, true, true];

test('REST objects normalize into valid change events', () => {
  expect(shapes.every(Boolean)).toBe(true);
  const at = '2026-01-01T10:00:00Z';
  const events = [
    normalizeCommit(
      'acme/api',
      'main',
      rest.commit('acme', 'api', { sha: 'a'.repeat(40), parents: [], message: 'x', date: at }),
    ),
    ...normalizePullRequest(
      'acme/api',
      rest.pullRequest('acme', 'api', {
        number: 1,
        title: 't',
        state: 'closed',
        createdAt: at,
        updatedAt: at,
        closedAt: at,
        mergedAt: at,
        mergeCommitSha: 'b'.repeat(40),
        headRef: 'f',
        headSha: 'c'.repeat(40),
      }),
    ),
    normalizeWorkflowRun(
      'acme/api',
      rest.workflowRun('acme', 'api', {
        id: 1,
        runNumber: 1,
        status: 'completed',
        conclusion: 'success',
        createdAt: at,
        updatedAt: at,
        headSha: 'd'.repeat(40),
        branch: 'main',
      }),
    ),
    normalizeDeployment(
      'acme/api',
      'https://github.com/acme/api',
      rest.deployment('acme', 'api', {
        id: 1,
        sha: 'e'.repeat(40),
        ref: 'main',
        environment: 'production',
        createdAt: at,
      }),
      rest.deploymentStatus('acme', 'api', {
        deploymentId: 1,
        state: 'failure',
        environment: 'production',
        at,
      }),
      false,
    ),
    normalizeRelease('acme/api', rest.release('acme', 'api', { id: 1, tag: 'v1', createdAt: at })),
  ];
  assertValidEvents(events);
  expect(events.map((e) => [e.kind, e.status])).toEqual([
    ['push', 'succeeded'],
    ['pull_request', 'succeeded'],
    ['merge', 'succeeded'],
    ['pipeline', 'succeeded'],
    ['deploy', 'failed'],
    ['release', 'succeeded'],
  ]);
});
