// The ClusterRole in docs/connectors/kubernetes.md grants exactly what the connector reads.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { NAMESPACES, RESOURCE_TYPES, rbacRules } from '../src/watched-resources.js';

test('the documented ClusterRole lists every resource the connector watches, read-only', () => {
  const docs = readFileSync(
    new URL('../../../docs/connectors/kubernetes.md', import.meta.url),
    'utf8',
  );
  const block =
    /```yaml\n(apiVersion: rbac\.authorization\.k8s\.io\/v1\nkind: ClusterRole\n[\s\S]*?)```/.exec(
      docs,
    )?.[1];
  const role = parseAllDocuments(block ?? '')[0]?.toJS() as {
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  };
  const normalized = (rules: typeof role.rules) =>
    rules
      .map((rule) => ({ ...rule, resources: [...rule.resources].sort() }))
      .sort((a, b) => a.apiGroups[0]!.localeCompare(b.apiGroups[0]!));
  expect(normalized(role.rules)).toEqual(
    normalized(rbacRules([...Object.values(RESOURCE_TYPES), NAMESPACES])),
  );
});
