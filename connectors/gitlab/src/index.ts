// @painchain/connector-gitlab: the definition the collector registers, and the parts tests and
// the standalone process use.
export {
  createGitlabConnectorDefinition,
  gitlabConnector,
  GitlabConnector,
  type GitlabConnectorOptions,
} from './gitlab-connector.js';
export {
  DEFAULT_BACKFILL_DAYS,
  DEFAULT_HOST,
  DEFAULT_POLL_INTERVAL_SECONDS,
  GITLAB_EVENT_FAMILIES,
  GitlabConfig,
  GitlabProjectConfig,
  defaultGitlabConfig,
  resolveGitlabConfig,
  validateGitlabConfig,
  type GitlabEventFamily,
  type ResolvedGitlabConfig,
} from './gitlab-config.js';
export { normalizeWebhook, type NormalizeOutcome } from './normalize/normalize-webhook.js';
export { verifyWebhookToken } from './webhook-token.js';
export { GITLAB_CLI } from './standalone-args.js';
