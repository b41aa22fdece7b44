// @painchain/connector-github: the definition the collector registers, and the parts tests and
// the standalone process use.
export {
  createGithubConnectorDefinition,
  githubConnector,
  GithubConnector,
  type GithubConnectorOptions,
} from './github-connector.js';
export {
  DEFAULT_BACKFILL_DAYS,
  DEFAULT_BASE_URL,
  DEFAULT_POLL_INTERVAL_SECONDS,
  GITHUB_EVENT_TYPES,
  GithubConfig,
  GithubRepositoryConfig,
  defaultGithubConfig,
  resolveGithubConfig,
  validateGithubConfig,
  type GithubEventType,
  type RepositoryTarget,
  type ResolvedGithubConfig,
} from './github-config.js';
export { normalizeWebhook, type NormalizeOutcome } from './normalize/normalize-webhook.js';
export { verifyWebhookSignature } from './webhook-signature.js';
export { GITHUB_CLI } from './standalone-args.js';
