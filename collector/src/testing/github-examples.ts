// A real GitHub push delivery for tests and the load benchmark: the first branch push with a
// head commit among the examples of @octokit/webhooks-examples (GitHub's own payloads, installed
// with the GitHub connector's dev dependencies), read from the package's JSON when first asked.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

let example: Record<string, unknown> | undefined;

function pushExample(): Record<string, unknown> {
  if (example) return example;
  const require = createRequire(import.meta.url);
  const all = JSON.parse(
    readFileSync(require.resolve('@octokit/webhooks-examples/api.github.com/index.json'), 'utf8'),
  ) as { name: string; examples: Record<string, unknown>[] }[];
  example = all
    .find((entry) => entry.name === 'push')
    ?.examples.find(
      (candidate) =>
        typeof candidate.ref === 'string' &&
        candidate.ref.startsWith('refs/heads/') &&
        candidate.head_commit !== null &&
        candidate.deleted !== true,
    );
  if (!example) throw new Error('@octokit/webhooks-examples has no branch push with a head commit');
  return example;
}

/**
 * A push of its own (a fresh head sha in `after`, the head commit and every commit) and the
 * externalId the GitHub connector gives its change.
 */
export function aGithubPush(): { payload: Record<string, unknown>; externalId: string } {
  const payload = structuredClone(pushExample()) as Record<string, unknown> & {
    ref: string;
    after: string;
    head_commit: { id: string } | null;
    commits: { id: string }[];
    repository: { full_name: string };
  };
  const sha = randomBytes(20).toString('hex');
  payload.after = sha;
  if (payload.head_commit) payload.head_commit.id = sha;
  for (const commit of payload.commits) commit.id = sha;
  return { payload, externalId: `push:${payload.repository.full_name}:${payload.ref}:${sha}` };
}
