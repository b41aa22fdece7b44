// Builds the harness page with vite unless the last build is newer than every source it bundles.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

export async function buildHarness(pluginDir: string): Promise<string> {
  const outDir = join(pluginDir, 'test-results/harness');
  const built = join(outDir, 'index.html');
  const sources = Math.max(newest(join(pluginDir, 'src')), newest(join(pluginDir, 'test/browser/harness')));
  if (existsSync(built) && statSync(built).mtimeMs > sources) {
    return outDir;
  }
  // The vite binary itself (not an npx wrapper), so nothing outlives the build.
  const vite = join(pluginDir, '../node_modules/vite/bin/vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'test/browser/vite.config.mjs'], {
    cwd: pluginDir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return outDir;
}
