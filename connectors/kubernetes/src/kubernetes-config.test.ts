// Options are checked once, at load, with every problem and its fix in words.
import { checkOptions } from '@painchain/sdk';
import { kubernetesConnector } from './kubernetes-connector.js';
import { resolveKubernetesConfig, WATCHABLE_RESOURCES } from './kubernetes-config.js';
import { collectionPath, rbacRules, RESOURCE_TYPES } from './watched-resources.js';

const check = (options: unknown) => checkOptions(kubernetesConnector, options);

describe('kubernetes options', () => {
  it('accept the defaults: valid and idle', () => {
    const checked = check(kubernetesConnector.defaultConfig());
    expect(checked.ok).toBe(true);
  });

  it('report every cluster problem at once, with its path', () => {
    const checked = check({
      clusters: [
        { name: 'prod' },
        { name: 'prod', kubeconfig: '/k', inCluster: true },
        { name: 'edge', inCluster: true, context: 'x' },
      ],
      customResources: [
        { group: 'argoproj.io', version: 'v1alpha1', resource: 'applications', kind: 'deploy' },
      ],
    });
    expect(checked).toEqual({
      ok: false,
      problems: [
        {
          path: ['clusters', 0],
          message: 'needs one of kubeconfig (a file), kubeconfigData (its text) or inCluster: true',
        },
        { path: ['clusters', 1], message: 'set one of kubeconfig, inCluster, not several' },
        { path: ['clusters', 1, 'name'], message: 'prod is listed twice (also clusters[0])' },
        {
          path: ['clusters', 2, 'context'],
          message: 'a context belongs to a kubeconfig; inCluster uses the pod service account',
        },
        {
          path: ['customResources', 0, 'revisionPath'],
          message:
            'kind deploy needs the path of the deployed revision (e.g. status.sync.revision)',
        },
      ],
    });
  });

  it('refuse unknown keys and resources by name, never echoing a value', () => {
    const checked = check({
      clusters: [{ name: 'prod', kubeconfigData: 'token: s3cret', tokn: 'x' }],
      watch: ['pods'],
    });
    expect(checked.ok).toBe(false);
    const text = JSON.stringify(checked);
    expect(text).toContain('tokn');
    expect(text).not.toContain('s3cret');
  });

  it('resolve minutes to milliseconds and sets for lookups', () => {
    const resolved = resolveKubernetesConfig({
      scaleMinIntervalMinutes: 2,
      alertWindowMinutes: 1,
      watch: ['deployments'],
    });
    expect(resolved.scaleMinIntervalMs).toBe(120_000);
    expect(resolved.alertWindowMs).toBe(60_000);
    expect([...resolved.watch]).toEqual(['deployments']);
    expect(resolved.warningReasons.has('OOMKilling')).toBe(true);
  });
});

describe('watched resources', () => {
  it('has a collection for every resource the options can name (Helm releases read Secrets)', () => {
    for (const name of WATCHABLE_RESOURCES) {
      const type = RESOURCE_TYPES[name === 'helmreleases' ? 'secrets' : name];
      expect(collectionPath(type, 'shop')).toMatch(/^\/apis?\/.+\/namespaces\/shop\/[a-z]+$/);
    }
    expect(collectionPath(RESOURCE_TYPES.deployments)).toBe('/apis/apps/v1/deployments');
    expect(collectionPath(RESOURCE_TYPES.configmaps, 'shop')).toBe(
      '/api/v1/namespaces/shop/configmaps',
    );
  });

  it('asks RBAC for get, list and watch only', () => {
    const rules = rbacRules(Object.values(RESOURCE_TYPES));
    expect(rules.every((rule) => rule.verbs.join() === 'get,list,watch')).toBe(true);
    expect(rules.find((rule) => rule.apiGroups[0] === 'apps')?.resources).toEqual([
      'daemonsets',
      'deployments',
      'statefulsets',
    ]);
  });
});
