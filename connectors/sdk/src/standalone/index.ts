// Running a connector as its own process: `@painchain/sdk/standalone`.
export {
  CollectorClient,
  CollectorRequestError,
  DEFAULT_COLLECTOR_RETRIES,
  DEFAULT_COLLECTOR_RETRY_DELAY_MS,
  DEFAULT_COLLECTOR_TIMEOUT_MS,
  type CollectorClientOptions,
} from './collector-client.js';
export { fileState } from './file-state.js';
export {
  DEFAULT_HEARTBEAT_SECONDS,
  runStandalone,
  type StandaloneOptions,
} from './run-standalone.js';
export {
  parseStandaloneArgs,
  runStandaloneCli,
  standaloneLogger,
  standaloneUsage,
  type CliFlag,
  type StandaloneArgs,
  type StandaloneCliSpec,
} from './standalone-cli.js';
