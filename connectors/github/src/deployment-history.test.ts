// Rollback detection from an environment's deployment history.
import { createTestContext } from '@painchain/sdk/testkit';
import {
  DeploymentHistory,
  isRollback,
  MAX_DEPLOY_HISTORY,
  recordDeployment,
} from './deployment-history.js';

const history = (...shas: string[]) => shas.map((sha, i) => ({ id: i + 1, sha }));

describe('isRollback', () => {
  test.each([
    ['the first deployment', history(), 'a', false],
    ['a new version', history('a', 'b'), 'c', false],
    ['the same version again (a redeploy)', history('a', 'b'), 'b', false],
    ['the version before the current one', history('a', 'b'), 'a', true],
    ['a version several deployments back', history('a', 'b', 'c', 'd'), 'b', true],
  ])('%s', (_name, earlier, sha, expected) => {
    expect(isRollback(earlier, { id: earlier.length + 1, sha })).toBe(expected);
  });

  test('judges by deployment id, whatever order the deliveries came in', () => {
    const later = recordDeployment(history('a', 'b'), { id: 4, sha: 'c' });
    expect(isRollback(later, { id: 3, sha: 'a' })).toBe(true);
  });

  test('keeps a bounded history', () => {
    let kept = history();
    for (let id = 1; id <= MAX_DEPLOY_HISTORY + 10; id += 1)
      kept = recordDeployment(kept, { id, sha: `s${id}` });
    expect(kept).toHaveLength(MAX_DEPLOY_HISTORY);
    expect(kept[0]!.id).toBe(11);
  });
});

describe('DeploymentHistory', () => {
  test('keeps one history per repository and environment in state, across concurrent deliveries', async () => {
    const { ctx, state } = createTestContext({ config: {} });
    const deployments = new DeploymentHistory(ctx.state);
    const results = await Promise.all([
      deployments.observe('acme/api', 'production', { id: 1, sha: 'a' }),
      deployments.observe('acme/api', 'production', { id: 2, sha: 'b' }),
      deployments.observe('acme/api', 'staging', { id: 3, sha: 'a' }),
      deployments.observe('acme/api', 'production', { id: 4, sha: 'a' }),
    ]);
    expect(results).toEqual([false, false, false, true]);
    expect(state.get('deployments:acme/api:production')).toEqual([
      { id: 1, sha: 'a' },
      { id: 2, sha: 'b' },
      { id: 4, sha: 'a' },
    ]);
  });
});
