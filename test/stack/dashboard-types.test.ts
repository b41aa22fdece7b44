// Each shipped dashboard type-checks as `Dashboard` from @grafana/schema, and its untyped parts as
// the types their owners declare (see dashboard-types.ts): the dashboards are written out as typed
// TypeScript constants and compiled by tsc.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardFiles, loadDashboard } from './dashboard-files.js';
import { dashboardTypesSource, PLUGIN_TYPE_FILES } from './dashboard-types.js';
import { repoPath } from './stack-files.js';

/** Inside the repository's node_modules, so that @grafana/schema resolves as it does for the plugin. */
const OUT = repoPath('node_modules', '.cache', 'painchain-dashboard-types');

test("every dashboard type-checks as Grafana's Dashboard, and its queries, options and transformations as their own types", () => {
  for (const dependency of ['@grafana/schema', '@grafana/data']) {
    if (!existsSync(repoPath('node_modules', dependency, 'package.json'))) {
      throw new Error(
        `${dependency} is not installed (the Grafana plugin workspace depends on it): run npm install`,
      );
    }
  }
  for (const file of Object.values(PLUGIN_TYPE_FILES)) {
    if (!existsSync(repoPath(file)))
      throw new Error(`${file} is missing: the dashboards are checked against its types`);
  }

  const dashboards = Object.fromEntries(dashboardFiles().map((f) => [f, loadDashboard(f)]));
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const source = dashboardTypesSource(dashboards, OUT);
  writeFileSync(join(OUT, 'dashboards.ts'), source);
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        jsx: 'react-jsx',
        skipLibCheck: true,
        types: [],
      },
      files: ['dashboards.ts'],
    }),
  );

  const tsc = spawnSync(
    process.execPath,
    [repoPath('node_modules/typescript/bin/tsc'), '-p', OUT, '--pretty', 'false'],
    {
      encoding: 'utf8',
    },
  );
  // Each error with the dashboard part it is about (the comment above the constant).
  const lines = source.split('\n');
  const explained = `${tsc.stdout}${tsc.stderr}`
    .split('\n')
    .filter(Boolean)
    .map((error) => {
      const line = Number(/dashboards\.ts\((\d+),/.exec(error)?.[1] ?? 0);
      const where = lines
        .slice(0, line)
        .reverse()
        .find((l) => l.startsWith('// '));
      return where ? `${where.slice(3)}: ${error}` : error;
    });
  expect(explained).toEqual([]);
  expect(tsc.status).toBe(0);
});
