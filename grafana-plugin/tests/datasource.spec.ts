import datasourceJson from '../src/datasource/plugin.json';
import { TEST_IDS } from '../src/test-ids';
import { API_TOKEN, COLLECTOR_URL, expect, test } from './fixtures';

test('a new PainChain datasource saves and passes its health check', async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: datasourceJson.id });
  await page.getByTestId(TEST_IDS.configEditor.url).fill(COLLECTOR_URL);
  if (API_TOKEN) {
    await page.getByTestId(TEST_IDS.configEditor.apiToken).fill(API_TOKEN);
  }
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /PainChain collector .*store/ });
});

test('the query editor lists services from the collector and the query returns changes', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'PainChain' });
  await panelEditPage.datasource.set(ds.name);
  await page.getByLabel('Service').click();
  await expect(page.getByRole('option').first()).toBeVisible();
  await expect(panelEditPage.refreshPanel()).toBeOK();
});
