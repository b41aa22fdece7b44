// The connector test kit: `@painchain/sdk/testkit`.
export { assertValidEvents, changeEventProblems } from './assert-valid-events.js';
export {
  checkConformance,
  DEFAULT_CONFORMANCE_SETTLE_MS,
  DEFAULT_CONFORMANCE_TIMEOUT_MS,
  type ConformanceOptions,
} from './check-conformance.js';
export {
  createTestContext,
  type TestContext,
  type TestContextOptions,
} from './create-test-context.js';
export { MemoryLeases, type MemoryLeasesOptions } from './memory-leases.js';
