// The standalone process's command line: the SDK's parser with the Kubernetes flags.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStandaloneArgs, standaloneUsage } from '@painchain/sdk/standalone';
import { KUBERNETES_CLI } from './standalone-args.js';

const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseStandaloneArgs(KUBERNETES_CLI, ['--collector', 'http://localhost:8000', ...argv], env);

describe('painchain-kubernetes arguments', () => {
  test('in the cluster: the service account, namespaces and environment from flags', async () => {
    const args = await parse([
      '--in-cluster',
      'true',
      '--namespace',
      'shop',
      '--namespace',
      'web',
      '--environment',
      'production',
    ]);
    expect(args.options).toEqual({
      clusters: [
        {
          name: 'in-cluster',
          inCluster: true,
          namespaces: ['shop', 'web'],
          environment: 'production',
        },
      ],
    });
  });

  test('beside it: the first $KUBECONFIG file and a context, named after the context', async () => {
    const args = await parse(['--context', 'prod-eu'], {
      KUBECONFIG: '/home/me/.kube/prod:/home/me/.kube/dev',
    });
    expect(args.options).toEqual({
      clusters: [{ name: 'prod-eu', kubeconfig: '/home/me/.kube/prod', context: 'prod-eu' }],
    });
  });

  test('an options file with clusters is used as it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'painchain-k8s-'));
    const file = join(dir, 'options.json');
    await writeFile(
      file,
      JSON.stringify({ clusters: [{ name: 'a', kubeconfigData: '${KUBE_A}' }] }),
    );
    const args = await parse(['--options', file], { KUBE_A: 'apiVersion: v1' });
    expect(args.options).toEqual({ clusters: [{ name: 'a', kubeconfigData: 'apiVersion: v1' }] });
  });

  test('says what to fix when it cannot tell where the cluster is', async () => {
    await expect(parse([])).rejects.toThrow('--in-cluster true, --kubeconfig FILE or $KUBECONFIG');
    await expect(parse(['--in-cluster', 'yes'])).rejects.toThrow(
      '--in-cluster takes true or false',
    );
  });

  test('the help lists the Kubernetes flags', () => {
    expect(standaloneUsage(KUBERNETES_CLI)).toMatch(/--kubeconfig FILE\s+kubeconfig file/);
  });
});
