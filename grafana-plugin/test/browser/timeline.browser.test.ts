// The real datasource and the real timeline panel in Chromium: a live collector on PGlite with
// sample changes, Grafana's data proxy in front of it, the panel rendered with @grafana/ui in
// both themes; the test runs a query, hovers, clicks, drags and types like a person would, and
// saves screenshots to grafana-plugin/test-results/.
import { TEST_IDS } from '../../src/test-ids.js';
import { READ_TOKEN } from '../support/live-collector.mjs';
import {
  byTestId,
  drawerOnScreen,
  resultsDir,
  screenshot,
  startBrowserSession,
  type BrowserSession,
} from './browser-session.js';

let session: BrowserSession;

beforeAll(async () => {
  session = await startBrowserSession();
}, 240_000);

afterAll(async () => {
  await session?.close();
});

const openHarness = (query: string) => session.open(`/?${query}`);

describe.each(['dark', 'light'])('timeline in the %s theme', (theme) => {
  it('queries the collector through the proxy, draws lanes and markers, and opens details', async () => {
    const { page, errors } = await openHarness(`theme=${theme}`);
    // 13 changes, the merge and the pipeline behind the payments rollout, and the Grafana alert.
    expect(await page.evaluate(() => window.harness.rows)).toBe(16);
    expect(session.server.proxied.every((p) => p.authorization === `Bearer ${READ_TOKEN}`)).toBe(true);

    const lanes = await page.locator(byTestId(TEST_IDS.timeline.laneLabel)).allInnerTexts();
    expect(lanes.map((l) => l.split('\n')[0])).toEqual(['api', 'payments', 'web']);
    const kinds = await page
      .locator(`${byTestId(TEST_IDS.timeline.marker)}, ${byTestId(TEST_IDS.timeline.cluster)}`)
      .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-kind')))]);
    expect(kinds.length).toBeGreaterThanOrEqual(5);
    expect(await page.locator(byTestId(TEST_IDS.timeline.cluster)).count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator(byTestId(TEST_IDS.timeline.interval)).count()).toBeGreaterThanOrEqual(2);
    await screenshot(page.locator(byTestId(TEST_IDS.timeline.panel)), `timeline-${theme}`, true);

    // Hover: the tooltip names the change.
    const failed = page.locator(`${byTestId(TEST_IDS.timeline.marker)}[data-status="failed"][data-kind="deploy"]`);
    await failed.hover();
    await expect(page.locator(byTestId(TEST_IDS.timeline.tooltip)).innerText()).resolves.toContain(
      'Rollout payments v2.8.0 failed'
    );

    // Click: the drawer renders the event generically, then its chain from the collector.
    await failed.click();
    await drawerOnScreen(page);
    const drawer = page.locator(byTestId(TEST_IDS.drawer.body));
    await drawer.locator(byTestId(TEST_IDS.chain.body)).waitFor();
    const text = await drawer.innerText();
    expect(text).toContain('ProgressDeadlineExceeded');
    expect(await drawer.locator('a[href="https://argo.example.com/applications/payments"]').count()).toBeGreaterThan(0);
    expect(text).toMatch(/ago/);
    // The chain: push → pull request → merge → pipeline → this rollout, each joint named.
    const nodes = drawer.locator(byTestId(TEST_IDS.chain.node));
    expect(await nodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual([
      'push',
      'pull_request',
      'merge',
      'pipeline',
      'deploy',
    ]);
    expect(await nodes.last().getAttribute('data-root')).toBe('true');
    const joints = await drawer.locator(byTestId(TEST_IDS.chain.link)).allInnerTexts();
    expect(joints.at(-1)).toContain('joined by image ghcr.io/acme/payments:2.8.0');
    expect(joints.at(-2)).toContain('joined by commit d1ce5ee');
    expect(await drawer.locator('a[href="https://github.com/acme/payments/pull/412"]').count()).toBe(2);
    // Icons (user, external link) come from Grafana's public path: rendered, not blank.
    expect(await drawer.locator('svg').count()).toBeGreaterThan(0);
    await screenshot(page, `drawer-chain-${theme}`, true);
    await page.keyboard.press('Escape');
    await page.locator(byTestId(TEST_IDS.drawer.body)).waitFor({ state: 'detached' });

    // An alert: its suspects, from the collector, and the way to the Investigate page.
    await page.locator(`${byTestId(TEST_IDS.timeline.marker)}[data-kind="alert"]`).click();
    await drawerOnScreen(page);
    const suspects = page.locator(byTestId(TEST_IDS.drawer.suspects));
    await suspects.locator(byTestId(TEST_IDS.suspects.list)).waitFor();
    const items = suspects.locator(byTestId(TEST_IDS.suspects.item));
    expect(await items.count()).toBe(3);
    expect(await items.first().innerText()).toContain('Rollout payments v2.8.0 failed');
    expect(await items.first().locator(byTestId(TEST_IDS.suspects.score)).innerText()).toContain('100');
    expect(await items.first().locator(byTestId(TEST_IDS.suspects.reasons)).innerText()).toContain(
      'deployed to production 4 min before the alert'
    );
    expect(await suspects.innerText()).toContain('3 more on the Investigate page');
    // An alert shares no commit or image: its chain says so in words.
    await page.locator(byTestId(TEST_IDS.chain.alone)).waitFor();
    await screenshot(page, `drawer-alert-${theme}`, true);
    const investigate = page.locator(byTestId(TEST_IDS.drawer.investigateLink));
    expect(await investigate.getAttribute('href')).toBe(
      `/a/painchain-app/investigate?alert=${session.collector.alertId}&datasource=painchain`
    );
    // Following the link opens the app's Investigate page on that alert.
    await investigate.click();
    await page.waitForURL(/\/a\/painchain-app\/investigate/);
    await page.locator(byTestId(TEST_IDS.suspects.list)).waitFor();
    expect(await page.locator(byTestId(TEST_IDS.app.summary)).innerText()).toContain('Firing: PaymentsErrorRate');

    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});

it('zooms by drag (sets the time range) and moves between markers with the keyboard', async () => {
  const { page, errors } = await openHarness('theme=dark');
  const track = page.locator(byTestId(TEST_IDS.timeline.track)).first();
  const box = (await track.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + 4);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + 4, { steps: 5 });
  await page.mouse.up();
  const zoomed = await page.evaluate(() => window.harness.lastTimeRange);
  expect(zoomed).toBeDefined();
  const span = 3 * 3600_000 + 5 * 60_000;
  expect(zoomed!.to - zoomed!.from).toBeGreaterThan(span * 0.15);
  expect(zoomed!.to - zoomed!.from).toBeLessThan(span * 0.25);

  await page.goto(`${session.server.url}/?now=${session.collector.now}&theme=dark`);
  await page.waitForFunction(() => window.harness?.ready);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  expect(first).toMatch(/^CI #812 on main: pipeline, succeeded, api/);
  await page.keyboard.press('ArrowRight');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Deploy api v1.4.2/);
  await page.keyboard.press('ArrowDown');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/payments/);
  await page.keyboard.press('Enter');
  await drawerOnScreen(page);
  expect(errors).toEqual([]);
  await page.context().close();
}, 60_000);

it('renders 10,000 events in a fraction of a second', async () => {
  const { page } = await openHarness('theme=dark&bench=10000');
  const bench = await page.evaluate(() => window.harness.bench);
  // The benchmark (npm run bench -w grafana-plugin) holds the 200 ms line and prints the figure;
  // here a loose guard against regressions on a busy CI machine, silent when it passes.
  expect(bench!.renderMs).toBeLessThan(1000);
  await page.locator(byTestId(TEST_IDS.timeline.panel)).screenshot({ path: `${resultsDir}/timeline-10000.png` });
  await page.context().close();
}, 60_000);
