// Render benchmark of the timeline panel: 10,000 events read from a frame, laid out and drawn in
// Chromium (the browser harness page in bench mode); prints the median of 5 renders and fails
// above the 200 ms budget. Run: npm run bench -w grafana-plugin.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const BUDGET_MS = 200;
const pluginDir = fileURLToPath(new URL('..', import.meta.url));
const pageDir = join(pluginDir, 'test-results/harness');

execFileSync(
  process.execPath,
  [join(pluginDir, '../node_modules/vite/bin/vite.js'), 'build', '--config', 'test/browser/vite.config.mjs'],
  {
    cwd: pluginDir,
    stdio: 'inherit',
  }
);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.ttf': 'font/ttf' };
const server = http.createServer((req, res) => {
  const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
  const file = join(pageDir, normalize(`/${path === '/' ? 'index.html' : path}`));
  if (!existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 600 } });
  await page.goto(`http://127.0.0.1:${server.address().port}/?bench=${EVENTS}&theme=dark`);
  await page.waitForFunction(() => window.harness?.ready || window.harness?.error, undefined, { timeout: 60_000 });
  const { bench, error } = await page.evaluate(() => window.harness);
  if (error) {
    throw new Error(error);
  }
  const runs = bench.runsMs.map((r) => r.toFixed(0)).join(', ');
  console.log(
    `timeline panel render, ${EVENTS} events: median ${bench.renderMs.toFixed(0)} ms (runs: ${runs}; budget ${BUDGET_MS} ms)`
  );
  process.exitCode = bench.renderMs <= BUDGET_MS ? 0 : 1;
} finally {
  await browser.close();
  server.close();
}
