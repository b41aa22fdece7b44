// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// ES-module-only dependencies of @grafana/* 13.2 that the scaffold's list (written for 12.x) lacks.
const moreESModules = ['@react-hookz', '@ver0/deep-equal'];

// The plugin's jsdom project, run by the repository's one jest (root jest.config.js): the
// scaffold's config, plus the tests under test/jest and one live collector for all of them.
module.exports = {
  ...base,
  displayName: 'grafana-plugin',
  testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}', '<rootDir>/test/jest/**/*.test.{ts,tsx}'],
  globalSetup: '<rootDir>/test/jest/global-setup.mjs',
  globalTeardown: '<rootDir>/test/jest/global-teardown.mjs',
  transform: {
    ...base.transform,
    // Some of @grafana/data's dependencies (d3-*) ship only .mjs, which the scaffold's pattern misses.
    'node_modules/.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, ...moreESModules])],
  // JSON imports of plugin.json files, and the SDK's types (type-only, erased by swc).
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'mjs', 'json'],
};
