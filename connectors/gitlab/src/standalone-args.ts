// The GitLab connector's part of the standalone command line: `--project` and `--group`
// shortcuts, the token and the instance from the environment. The rest is the SDK's.
import type { StandaloneCliSpec } from '@painchain/sdk/standalone';
import { gitlabConnector } from './gitlab-connector.js';

const PROJECT_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;

export const GITLAB_CLI: StandaloneCliSpec<typeof gitlabConnector.configSchema> = {
  definition: gitlabConnector,
  command: 'painchain-gitlab',
  summary: 'the GitLab connector as its own process',
  flags: {
    project: {
      valueName: 'PATH|ID',
      description: 'a project to poll: group/project (as in its URL) or its numeric ID',
      multiple: true,
    },
    group: { valueName: 'GROUP', description: 'poll every project of a group and its subgroups' },
  },
  notes: `GitLab token: $GITLAB_TOKEN (or "token" in the options file), with the read_api scope.
Self-managed GitLab: $GITLAB_URL (https://gitlab.example.com) or "host" in the options file.`,
  applyArgs(options, flags, env) {
    const projects = (flags.project ?? []).map((text) => {
      if (/^[0-9]+$/.test(text)) return { id: Number(text) };
      if (!PROJECT_PATH.test(text)) {
        throw new Error(`--project ${text}: expected group/project (or a numeric ID)`);
      }
      return { path: text };
    });
    if (projects.length > 0) {
      options.projects = [...((options.projects as unknown[] | undefined) ?? []), ...projects];
    }
    const group = flags.group?.at(-1);
    if (group) options.group = group;
    if (options.token === undefined && env.GITLAB_TOKEN) options.token = env.GITLAB_TOKEN;
    if (options.host === undefined && env.GITLAB_URL) options.host = env.GITLAB_URL;
  },
};
