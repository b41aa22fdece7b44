// deploy/kubernetes as kubectl renders it (`kubectl kustomize`, the kustomize built into kubectl):
// every object is checked against the Kubernetes API's own models (@kubernetes/client-node: it
// must load as its model class and serialize back with no field lost, so a misspelt or misplaced
// field fails), and the objects are checked against each other and the collector: selectors,
// ports, probes, the Secrets the pod reads and the keys the instructions create, the service
// account's role (what the Kubernetes connector reads), and the ConfigMap's painchain.yaml loaded
// by the collector's own loader with the environment the pod gets.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { V1Container, V1Deployment, V1EnvVar, V1PodSpec } from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadConfig } from '../../collector/src/config/index.js';
import { CONNECTOR_TYPES } from '../../collector/src/runner/connector-registry.js';
import {
  NAMESPACES,
  RESOURCE_TYPES,
  rbacRules,
} from '../../connectors/kubernetes/src/watched-resources.js';
import { parseDockerfile } from './dockerfile.js';
import { asObject, readJson, readText, repoPath, type JsonObject } from './stack-files.js';

const KUSTOMIZATIONS = ['deploy/kubernetes/base', 'deploy/kubernetes/overlays/external-postgres'];

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const missing = kubectl.error ? kubectl.error.message : kubectl.status !== 0 ? kubectl.stderr : '';
if (missing && process.env.CI) {
  throw new Error(`kubectl is required in CI (Debian package kubernetes-client): ${missing}`);
}
if (missing) {
  console.warn(
    `\n*** kubectl not found (${missing.trim()}): the deploy/kubernetes rendering test is SKIPPED. Install the Debian package kubernetes-client; CI requires it. ***\n`,
  );
}
const withKubectl = missing ? describe.skip : describe;

type KubeObject = JsonObject & { apiVersion: string; kind: string; metadata: JsonObject };

function render(dir: string): KubeObject[] {
  const result = spawnSync('kubectl', ['kustomize', repoPath(dir)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** The client-node model of an object: `apps/v1` Deployment → V1Deployment. */
const modelName = (object: KubeObject) => {
  const version = object.apiVersion.split('/').at(-1)!;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`;
};

const byKind = <T>(objects: KubeObject[], kind: string): T[] =>
  objects.filter((object) => object.kind === kind) as unknown as T[];
const one = <T>(objects: KubeObject[], kind: string): T => {
  const found = byKind<T>(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0]!;
};

/**
 * The Secrets the comments of a kustomization.yaml tell to create, and their keys:
 * `kubectl create secret generic NAME --from-literal=KEY=… --from-file=KEY=…`, over `\` lines.
 */
function secretsCreatedBy(kustomization: string): Map<string, Set<string>> {
  const commands = kustomization
    .split('\n')
    .map((line) => line.replace(/^#\s?/, '').trim())
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n');
  const created = new Map<string, Set<string>>();
  for (const command of commands) {
    const name = /create secret generic (\S+)/.exec(command)?.[1];
    if (!name) continue;
    const keys = [...command.matchAll(/--from-(?:literal|file)=([\w.-]+)=/g)].map((m) => m[1]!);
    created.set(name, new Set(keys));
  }
  return created;
}

/** What a value from the environment is when the pod starts, with stand-ins for Secret values. */
function podEnvironment(container: V1Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) env[variable.name] = standIn(variable);
  return env;
}
function standIn(variable: V1EnvVar): string {
  if (variable.value !== undefined) return variable.value;
  const secret = variable.valueFrom?.secretKeyRef;
  if (secret) {
    return variable.name === 'DATABASE_URL'
      ? 'postgres://painchain:secret@db.example.com:5432/painchain'
      : `${secret.name}-${secret.key}-0123456789abcdef`;
  }
  if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name')
    return 'painchain-collector-7d9f8-x2k4p';
  throw new Error(`${variable.name}: no stand-in for ${JSON.stringify(variable.valueFrom)}`);
}

withKubectl.each(KUSTOMIZATIONS)('%s rendered by kubectl kustomize', (dir) => {
  // Rendered while the tests are collected (test.each needs the objects); not when skipped.
  const objects = missing ? [] : render(dir);
  const deployment = missing ? ({} as V1Deployment) : one<V1Deployment>(objects, 'Deployment');
  const pod = deployment.spec?.template.spec ?? ({ containers: [] } as V1PodSpec);
  const collector = pod.containers.find((container) => container.name === 'collector')!;
  const podLabels = deployment.spec?.template.metadata?.labels ?? {};
  const matches = (selector: Record<string, string> | undefined) =>
    Object.entries(selector ?? {}).every(([key, value]) => podLabels[key] === value);

  test('has what the collector needs: Namespace, ServiceAccount, ClusterRole and binding, ConfigMap, Deployment, Service, PodDisruptionBudget', () => {
    expect(objects.map((object) => object.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
  });

  // A table may not be empty, even in a skipped suite.
  const table: [string, KubeObject][] = missing
    ? [['(not rendered)', {} as KubeObject]]
    : objects.map((object) => [`${object.kind} ${String(object.metadata.name)}`, object]);
  test.each(table)(
    '%s is a valid object of the Kubernetes API models, with no field they do not know',
    (_name, object) => {
      const Model = (k8s as unknown as Record<string, unknown>)[modelName(object)];
      expect({ model: modelName(object), known: typeof Model === 'function' }).toEqual({
        model: modelName(object),
        known: true,
      });
      const [loaded] = k8s.loadAllYaml(stringify(object)) as unknown[];
      expect(loaded).toBeInstanceOf(Model as new () => unknown);
      // Serialized back from the model: a field the model does not have would be missing.
      expect(parse(k8s.dumpYaml(loaded))).toEqual(object);
    },
  );

  test('runs several replicas, spread over nodes, with probes on /healthz and /readyz and resource requests', () => {
    expect(deployment.spec!.replicas).toBeGreaterThanOrEqual(2);
    expect(matches(deployment.spec!.selector.matchLabels)).toBe(true);
    const port = collector.ports!.find((p) => p.name === 'http')!;
    expect(port.containerPort).toBe(8000);
    expect(collector.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(collector.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(collector.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(collector.resources?.requests).toEqual({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(collector.resources?.limits?.memory).toEqual(expect.any(String));
    expect(matches(pod.topologySpreadConstraints?.[0]?.labelSelector?.matchLabels)).toBe(true);
  });

  test('the Service and the PodDisruptionBudget select the collector pods, and the Service reaches their port', () => {
    const service = one<k8s.V1Service>(objects, 'Service');
    expect(matches(service.spec!.selector)).toBe(true);
    expect(service.spec!.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http' }]);
    const budget = one<k8s.V1PodDisruptionBudget>(objects, 'PodDisruptionBudget');
    expect(matches(budget.spec!.selector!.matchLabels)).toBe(true);
    // Some replicas stay up during a drain.
    expect(Number(budget.spec!.maxUnavailable)).toBeLessThan(deployment.spec!.replicas!);
  });

  test('the pod runs as the service account bound to the read-only role of the Kubernetes connector', () => {
    const account = one<k8s.V1ServiceAccount>(objects, 'ServiceAccount');
    const namespace = one<k8s.V1Namespace>(objects, 'Namespace');
    expect(pod.serviceAccountName).toBe(account.metadata!.name);
    expect(account.metadata!.namespace).toBe(namespace.metadata!.name);
    expect(deployment.metadata!.namespace).toBe(namespace.metadata!.name);
    const role = one<k8s.V1ClusterRole>(objects, 'ClusterRole');
    const binding = one<k8s.V1ClusterRoleBinding>(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata!.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: account.metadata!.name, namespace: namespace.metadata!.name },
    ]);
    const normalized = (rules: { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]) =>
      rules
        .map((rule) => ({ ...rule, resources: [...(rule.resources ?? [])].sort() }))
        .sort((a, b) => a.apiGroups![0]!.localeCompare(b.apiGroups![0]!));
    expect(normalized(role.rules!)).toEqual(
      normalized(rbacRules([...Object.values(RESOURCE_TYPES), NAMESPACES])),
    );
  });

  test('the Secrets the pod reads are the ones the instructions in kustomization.yaml create, with those keys', () => {
    const created = secretsCreatedBy(readText(`${dir}/kustomization.yaml`));
    const read = [
      ...(collector.env ?? []).flatMap((variable) => {
        const ref = variable.valueFrom?.secretKeyRef;
        return ref ? [[ref.name ?? '', ref.key] as const] : [];
      }),
      ...(pod.volumes ?? []).flatMap((volume) =>
        (volume.secret?.items ?? []).map((item) => [volume.secret!.secretName!, item.key] as const),
      ),
    ];
    expect(read.length).toBeGreaterThan(0);
    for (const [secret, key] of read) {
      expect({ secret, key, created: created.get(secret)?.has(key) ?? false }).toEqual({
        secret,
        key,
        created: true,
      });
    }
  });

  test('the ConfigMap’s painchain.yaml loads with the collector’s loader in the pod’s environment, as the pod mounts it', async () => {
    const configMap = one<k8s.V1ConfigMap>(objects, 'ConfigMap');
    const mount = collector.volumeMounts!.find((m) => m.name === 'config')!;
    const volume = pod.volumes!.find((v) => v.name === 'config')!;
    // The generated name (with its content hash) is the one the Deployment mounts.
    expect(volume.configMap?.name).toBe(configMap.metadata!.name);
    const env = podEnvironment(collector);
    expect(posix.join(mount.mountPath, 'painchain.yaml')).toBe(env.PAINCHAIN_CONFIG);

    const folder = mkdtempSync(join(tmpdir(), 'painchain-k8s-'));
    try {
      const file = join(folder, 'painchain.yaml');
      writeFileSync(file, configMap.data!['painchain.yaml']!);
      const config = await loadConfig({ path: file, env, connectorTypes: CONNECTOR_TYPES });
      expect(config.server.host).toBe('0.0.0.0');
      expect(config.server.port).toBe(collector.ports![0]!.containerPort);
      expect(config.server.replicaId).toBe(env.POD_NAME);
      expect(config.store.url).toBe(env.DATABASE_URL);
      expect(config.store.poolSize).toBe(Number(env.PAINCHAIN_POOL_SIZE));
      expect(config.auth.tokens.map((token) => token.token)).toEqual([
        env.PAINCHAIN_INGEST_TOKEN,
        env.PAINCHAIN_READ_TOKEN,
        env.PAINCHAIN_ADMIN_TOKEN,
      ]);
      // The root filesystem is read-only: where the collector writes is a mounted volume.
      const workdir = parseDockerfile(readText('Dockerfile'))
        .filter((instruction) => instruction.keyword === 'WORKDIR')
        .at(-1)!.args;
      const writable = collector.volumeMounts!.filter((m) => !m.readOnly).map((m) => m.mountPath);
      expect(collector.securityContext?.readOnlyRootFilesystem).toBe(true);
      // The local folder, and the durable spool in it (or where spool.dir says).
      const spoolDir = (config as { spool?: { dir?: string } }).spool?.dir;
      for (const folder of [config.store.dataDir, ...(spoolDir ? [spoolDir] : [])]) {
        const path = posix.resolve(workdir, folder);
        expect({ path, writable: writable.some((mount) => path.startsWith(`${mount}/`)) }).toEqual({
          path,
          writable: true,
        });
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('runs the image of this version of the collector', () => {
    const version = asObject(readJson('collector/package.json'), 'package.json').version;
    expect(collector.image).toBe(`painchain-collector:${String(version)}`);
  });
});

withKubectl('deploy/kubernetes/overlays/external-postgres', () => {
  const base = missing ? [] : render(KUSTOMIZATIONS[0]!);
  const overlay = missing ? [] : render(KUSTOMIZATIONS[1]!);
  const containerOf = (objects: KubeObject[]) =>
    byKind<V1Deployment>(objects, 'Deployment')[0]!.spec!.template.spec!.containers[0]!;

  test('reads the database URL from its own Secret, mounts the server’s CA, and opens fewer connections per replica', () => {
    const env = containerOf(overlay).env!;
    expect(env.find((v) => v.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'painchain-postgres',
      key: 'url',
    });
    expect(Number(env.find((v) => v.name === 'PAINCHAIN_POOL_SIZE')?.value)).toBeLessThan(
      Number(containerOf(base).env!.find((v) => v.name === 'PAINCHAIN_POOL_SIZE')?.value),
    );
    const mount = containerOf(overlay).volumeMounts!.find((m) => m.name === 'postgres-ca')!;
    // Where the URL's sslrootcert points, as the instructions write it.
    expect(readText(`${KUSTOMIZATIONS[1]}/kustomization.yaml`)).toContain(
      `sslmode=verify-full&sslrootcert=${mount.mountPath}/ca.crt`,
    );
  });

  test('changes nothing else of the base', () => {
    const withoutDatabase = (objects: KubeObject[]) =>
      objects.map((object) => {
        if (object.kind !== 'Deployment') return object;
        const copy = structuredClone(object) as unknown as V1Deployment;
        const container = copy.spec!.template.spec!.containers[0]!;
        container.env = container.env!.filter(
          (v) => v.name !== 'DATABASE_URL' && v.name !== 'PAINCHAIN_POOL_SIZE',
        );
        container.volumeMounts = container.volumeMounts!.filter((m) => m.name !== 'postgres-ca');
        copy.spec!.template.spec!.volumes = copy.spec!.template.spec!.volumes!.filter(
          (v) => v.name !== 'postgres-ca',
        );
        return copy;
      });
    expect(withoutDatabase(overlay)).toEqual(withoutDatabase(base));
  });
});
