// The collector's test harness, for its own suites and for connector packages
// (`@painchain/collector/testing`): the real app on PGlite and PostgreSQL, driven over HTTP.
export * from './test-app.js';
export * from './test-database.js';
export * from './test-events.js';
export * from './test-requests.js';
export type { Db, Queryable } from '../store/db.js';
export * from './tcp-proxy.js';
export * from './github-examples.js';
