// The Delivery performance dashboard's four keys in Chromium, from the live collector's sample
// changes through the data proxy: each stat panel of dashboards/delivery.json runs its own query
// and field config, and shows the figure worked out by hand below, in its DORA band's colour.
import { READ_TOKEN } from '../support/live-collector.mjs';
import { byTestId, screenshot, startBrowserSession, type BrowserSession } from './browser-session.js';
import { TEST_IDS } from '../../src/test-ids.js';

let session: BrowserSession;

beforeAll(async () => {
  session = await startBrowserSession();
}, 240_000);

afterAll(async () => {
  await session?.close();
});

/**
 * The sample changes of the last two days in production (test/data/sample-events.json), by hand:
 * - one counted deploy: "Deploy api v1.4.2", 158 min ago (no end: done when it started); the
 *   payments rollout failed and api v1.5.0 is still in progress, so neither counts;
 *   1 deploy in 2 days is 0.50 a day: high (between once per day and once per week);
 * - its chain: commit 9fceb02 joins "CI #812 on main", 170 min ago: lead time 12 min (elite);
 * - nothing failed it within 24 h (the rollback, the failed rollout and the alert are payments'): 0 %;
 * - restored: the failed payments rollout (75 min ago) by the rollback (62 min ago), 13 min;
 *   the Grafana alert still fires and is counted apart (elite).
 */
const EXPECTED = [
  { title: 'Deployment frequency', text: /^0\.50\s*\/day$/, band: 'blue' },
  { title: 'Lead time for changes', text: /^12(\.0)? ?mins?$/, band: 'green' },
  { title: 'Change failure rate', text: /^0(\.0)?\s*%$/, band: 'green' },
  { title: 'Time to restore', text: /^13(\.0)? ?mins?$/, band: 'green' },
];

describe.each(['dark', 'light'])('the Delivery performance dashboard in the %s theme', (theme) => {
  it('shows the four keys from the live collector, each in its DORA band', async () => {
    const { page, errors } = await session.open(`/?dashboard=delivery&days=2&theme=${theme}`, {
      viewport: { width: 1100, height: 220 },
    });
    const shown = await page.evaluate(() => window.harness.delivery);
    expect(shown?.map((s) => s.title)).toEqual(EXPECTED.map((e) => e.title));
    for (const [i, expected] of EXPECTED.entries()) {
      expect({ title: shown![i]!.title, band: shown![i]!.band }).toEqual({
        title: expected.title,
        band: expected.band,
      });
      expect(shown![i]!.text).toMatch(expected.text);
    }
    // What the page shows is what was computed: each stat's rendered text, in its band.
    const stats = page.locator(byTestId(TEST_IDS.delivery.stat));
    expect(await stats.count()).toBe(4);
    for (const [i, expected] of EXPECTED.entries()) {
      const stat = stats.nth(i);
      expect(await stat.getAttribute('aria-label')).toBe(expected.title);
      expect(await stat.getAttribute('data-band')).toBe(expected.band);
      const text = (await stat.innerText()).replace(expected.title, '').replace(/\s+/g, ' ').trim();
      expect(text).toMatch(expected.text);
    }
    // Every request went through the data proxy with the read token.
    const delivery = session.server.proxied.filter((p) => p.url.includes('/api/v1/delivery'));
    expect(delivery.length).toBeGreaterThanOrEqual(4);
    expect(delivery.every((p) => p.authorization === `Bearer ${READ_TOKEN}`)).toBe(true);
    await screenshot(page, `delivery-${theme}`);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
