// Running a connector as its own process: `@painchain/sdk/standalone`.
export {
  CollectorClient,
  CollectorRequestError,
  DEFAULT_COLLECTOR_RETRIES,
  DEFAULT_COLLECTOR_RETRY_DELAY_MS,
  DEFAULT_COLLECTOR_TIMEOUT_MS,
  type CollectorClientOptions,
  type HeartbeatReport,
} from './collector-client.js';
export { fileState } from './file-state.js';
export {
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_STANDALONE_BACKOFF,
  optionProblems,
  runStandalone,
  type StandaloneOptions,
} from './run-standalone.js';
