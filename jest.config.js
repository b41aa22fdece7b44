// One jest for the whole repository: each workspace is a project; TypeScript goes through swc.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  },
];

/** @param {string} name @param {string} dir */
const project = (name, dir) => ({
  displayName: name,
  rootDir: dir,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  // Sources import siblings as './x.js' (NodeNext); jest resolves the .ts file.
  moduleNameMapper: {
    // Workspace packages resolve to their sources: tests never need a prior build.
    '^@painchain/sdk$': `${root}connectors/sdk/src/index.ts`,
    '^@painchain/sdk/testkit$': `${root}connectors/sdk/src/testkit/index.ts`,
    '^@painchain/sdk/standalone$': `${root}connectors/sdk/src/standalone/index.ts`,
    '^@painchain/connector-github$': `${root}connectors/github/src/index.ts`,
    '^@painchain/connector-gitlab$': `${root}connectors/gitlab/src/index.ts`,
    '^@painchain/connector-kubernetes$': `${root}connectors/kubernetes/src/index.ts`,
    '^@painchain/collector/testing$': `${root}collector/src/testing/index.ts`,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
});

// The Grafana plugin's jsdom tests use the scaffold's own jest config (CommonJS, jsdom, swc for
// TSX); its browser test is an ES-module Node project like the others (it imports the collector).
const grafanaPlugin = createRequire(import.meta.url)('./grafana-plugin/jest.config.js');

export default {
  // Starting embedded PGlite (WebAssembly) takes a few seconds on a 2-core machine.
  testTimeout: 30_000,
  // Once the run is over, exit. Seen once in ci-local (2026-11-26): after every suite had ended,
  // Node spun at 100% CPU in its exit cleanup (FreeEnvironment -> CleanupHandles -> uv_run, per
  // gdb) on a handle a test left closing; a natural exit never came. process.exit skips that.
  forceExit: true,
  projects: [
    project('sdk', '<rootDir>/connectors/sdk'),
    project('collector', '<rootDir>/collector'),
    project('github', '<rootDir>/connectors/github'),
    project('gitlab', '<rootDir>/connectors/gitlab'),
    project('kubernetes', '<rootDir>/connectors/kubernetes'),
    // The full stack (docker compose, provisioning, dashboards, the image): test/stack at the root.
    {
      ...project('stack', '<rootDir>'),
      roots: ['<rootDir>/test/stack'],
      testMatch: ['<rootDir>/test/stack/**/*.test.ts'],
    },
    { ...grafanaPlugin, rootDir: '<rootDir>/grafana-plugin' },
    {
      ...project('grafana-plugin-browser', '<rootDir>/grafana-plugin'),
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
    },
  ],
};
