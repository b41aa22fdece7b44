// Field diffs read like `path: old → new` and leave noise out.
import {
  diffFields,
  flatten,
  formatChange,
  formatChanges,
  meaningfulMetadata,
  MAX_LISTED_CHANGES,
} from './field-diff.js';

describe('field diff', () => {
  it('names list items by their name when they have one, by index otherwise', () => {
    const before = flatten({
      spec: { ports: [{ name: 'http', port: 80 }], rules: [{ host: 'a.example.com' }] },
    });
    const after = flatten({
      spec: { ports: [{ name: 'http', port: 8080 }], rules: [{ host: 'b.example.com' }] },
    });
    expect(diffFields(before, after).map((c) => formatChange(c, 80))).toEqual([
      'spec.ports[http].port: 80 → 8080',
      'spec.rules[0].host: a.example.com → b.example.com',
    ]);
  });

  it('writes annotation keys with dots and slashes in brackets, and says added and removed', () => {
    const before = flatten({
      metadata: { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
    });
    const after = flatten({ metadata: { labels: { tier: 'web' } } });
    expect(diffFields(before, after).map((c) => formatChange(c, 80))).toEqual([
      'metadata.annotations[nginx.ingress.kubernetes.io/rewrite-target]: removed',
      'metadata.labels.tier: added web',
    ]);
  });

  it('keeps container env values as digests and shows only that they changed', () => {
    const env = (value: string) =>
      flatten({ containers: [{ name: 'api', env: [{ name: 'TOKEN', value }] }] });
    const [change] = diffFields(env('old-secret'), env('new-secret'));
    expect(formatChange(change!, 80)).toBe('containers[api].env[TOKEN].value: changed');
    expect(JSON.stringify(env('old-secret'))).not.toContain('old-secret');
  });

  it('cuts long values and counts the changes it does not list', () => {
    const after = Object.fromEntries(
      Array.from({ length: 25 }, (_, i) => [`k${i}`, 'x'.repeat(200)]),
    );
    const { lines, more } = formatChanges(diffFields({}, flatten({ data: after })), 20);
    expect(lines).toHaveLength(MAX_LISTED_CHANGES);
    expect(more).toBe(5);
    expect(lines[0]).toBe(`data.k0: added ${'x'.repeat(19)}…`);
  });

  it('leaves churning annotations out of the metadata a diff covers', () => {
    expect(
      meaningfulMetadata(
        {
          annotations: {
            'deployment.kubernetes.io/revision': '4',
            'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1"}',
            'team.example.com/owner': 'payments',
            'sidecar.example.com/status': 'x',
          },
        },
        ['sidecar.example.com/status'],
      ),
    ).toEqual({ labels: undefined, annotations: { 'team.example.com/owner': 'payments' } });
  });
});
