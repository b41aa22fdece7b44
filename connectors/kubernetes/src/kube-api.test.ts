// A kubeconfig that cannot be read is reported without quoting it (it may hold a token).
import { loadKubeConfig } from './kube-api.js';

describe('loadKubeConfig', () => {
  it('says where the YAML is broken, never what it says', () => {
    const broken =
      'apiVersion: v1\nusers:\n- name: x\n  user:\n    token: sup3r-s3cret-t0ken\n  : [\n';
    expect(() => loadKubeConfig({ kubeconfigData: broken })).toThrow(
      /^kubeconfigData is not a readable kubeconfig/,
    );
    try {
      loadKubeConfig({ kubeconfigData: broken });
    } catch (error) {
      expect((error as Error).message).not.toContain('sup3r');
    }
  });

  it('names a missing file and the system error', () => {
    expect(() => loadKubeConfig({ kubeconfig: '/nonexistent/kubeconfig' })).toThrow(
      'cannot read the kubeconfig file /nonexistent/kubeconfig (ENOENT)',
    );
  });

  it('refuses a context the file does not have', () => {
    const config = 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n';
    expect(() => loadKubeConfig({ kubeconfigData: config, context: 'prod' })).toThrow();
  });
});
