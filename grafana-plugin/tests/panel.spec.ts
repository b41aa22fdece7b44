import panelJson from '../src/panel/plugin.json';
import { TEST_IDS } from '../src/test-ids';
import { expect, test } from './fixtures';

test('the timeline panel renders changes and opens their details', async ({
  panelEditPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: 'datasources.yml', name: 'PainChain' });
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.setVisualization(panelJson.name);
  await expect(panelEditPage.refreshPanel()).toBeOK();
  const marker = page.getByTestId(TEST_IDS.timeline.marker).first();
  await expect(marker).toBeVisible();
  await marker.click();
  await expect(page.getByTestId(TEST_IDS.drawer.chain)).toBeVisible();
});
