// check_suite completed → a `pipeline` event, for CI apps other than GitHub Actions (whose
// suites are already recorded, in more detail, by workflow_run).
import type { ChangeEventInput } from '@painchain/sdk';
import type { GhCheckSuite } from '../github-types.js';
import { changeEvent, isoTime, notBefore, shortSha, statusWord } from '@painchain/sdk';
import { GITHUB, runStatus } from './github-words.js';

/** Suites of this app are workflow runs, recorded from workflow_run. */
export const ACTIONS_APP_SLUG = 'github-actions';

export function normalizeCheckSuite(
  project: string,
  repositoryUrl: string,
  suite: GhCheckSuite,
  receivedAt: Date,
): ChangeEventInput[] | string {
  if (suite.app?.slug === ACTIONS_APP_SLUG)
    return 'GitHub Actions suites are recorded from workflow_run';
  if (suite.status !== 'completed') return 'check suites are recorded when completed';
  const status = runStatus(suite.status, suite.conclusion);
  const app = suite.app?.name ?? 'checks';
  const end = isoTime(suite.updated_at) ?? receivedAt.toISOString();
  const start = isoTime(suite.created_at) ?? end;
  return [
    changeEvent({
      connector: GITHUB,
      externalId: `check-suite:${project}:${suite.id}`,
      kind: 'pipeline',
      status,
      title: `${app} ${statusWord(status)} on ${suite.head_branch ?? shortSha(suite.head_sha)}`,
      project,
      timestamp: start,
      endTimestamp: notBefore(end, start),
      updatedAt: isoTime(suite.updated_at),
      url: `${repositoryUrl}/commit/${suite.head_sha}/checks`,
      refs: {
        commit: suite.head_sha,
        branch: suite.head_branch ?? undefined,
        pipeline: suite.id,
        pullRequest: suite.pull_requests?.[0]?.number,
      },
      data: { app: suite.app?.slug ?? suite.app?.name, conclusion: suite.conclusion ?? undefined },
    }),
  ];
}
