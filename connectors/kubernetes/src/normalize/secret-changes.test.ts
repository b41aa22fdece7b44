// Secrets show which keys changed with keyed digests, never a value; Helm's Secrets are deploys.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../kube-object.js';
import { secretDetector } from './secret-changes.js';

const ctx = {
  cluster: 'prod',
  now: () => new Date('2026-03-02T10:00:00Z'),
  serviceLabels: ['app'],
  ignoreAnnotations: [],
  maxValueLength: 80,
  secretKey: 'k'.repeat(64),
  plain: true,
  helm: true,
};
const detector = secretDetector(ctx);

const secret = (data: Record<string, string>, resourceVersion: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: 'mysecret',
      namespace: 'default',
      uid: 'uid-1',
      resourceVersion,
      labels: { app: 'api' },
    },
    data,
  }) as KubeObject;

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('secret changes', () => {
  it('names the changed, added and removed keys with digests, and no value in any form', () => {
    const first = detector.observe(
      undefined,
      secret({ username: b64('admin'), password: b64('1f2d1e2e67df') }, '10'),
      true,
    );
    expect(first.events).toEqual([]);
    const next = detector.observe(
      first.record,
      secret({ username: b64('admin'), password: b64('n3w-pa55'), api_key: b64('k-123') }, '11'),
      false,
    );
    expect(next.events).toEqual([
      expect.objectContaining({
        kind: 'config',
        title: 'Secret default/mysecret: changed password; added api_key',
        service: 'api',
        externalId: 'prod/uid-1/data/11',
        data: expect.objectContaining({
          changed: ['password'],
          added: ['api_key'],
          digests: {
            password: {
              from: expect.stringMatching(/^hmac:[0-9a-f]{16}$/),
              to: expect.stringMatching(/^hmac:/),
            },
            api_key: { to: expect.stringMatching(/^hmac:/) },
          },
        }),
      }),
    ]);
    const everything = JSON.stringify([first, next]);
    for (const value of [
      'admin',
      '1f2d1e2e67df',
      'n3w-pa55',
      'k-123',
      b64('admin'),
      b64('n3w-pa55'),
      b64('k-123'),
    ]) {
      expect(everything).not.toContain(value);
    }
  });

  it('says nothing when only metadata changed', () => {
    const first = detector.observe(undefined, secret({ password: b64('x') }, '10'), true);
    expect(
      detector.observe(first.record, secret({ password: b64('x') }, '12'), false).events,
    ).toEqual([]);
  });

  it('turns each Helm release revision into a deploy, and a status change into an update of it', () => {
    const json = JSON.parse(
      readFileSync(new URL('../../testdata/helm-release.json', import.meta.url), 'utf8'),
    );
    const helmSecret = (status: string, description: string, version: number): KubeObject => {
      const release = { ...json, version, info: { ...json.info, status, description } };
      const stored = Buffer.from(
        gzipSync(Buffer.from(JSON.stringify(release))).toString('base64'),
      ).toString('base64');
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'helm.sh/release.v1',
        metadata: {
          name: `sh.helm.release.v1.payments.v${version}`,
          namespace: 'shop',
          uid: `helm-${version}`,
          resourceVersion: '5',
        },
        data: { release: stored },
      } as KubeObject;
    };
    const pending = detector.observe(
      undefined,
      helmSecret('pending-rollback', 'Rollback to 5', 8),
      false,
    );
    const done = detector.observe(
      pending.record,
      helmSecret('deployed', 'Rollback to 5', 8),
      false,
    );
    const superseded = detector.observe(
      done.record,
      helmSecret('superseded', 'Rollback to 5', 8),
      false,
    );
    expect([...pending.events, ...done.events, ...superseded.events]).toEqual([
      expect.objectContaining({
        kind: 'rollback',
        status: 'in_progress',
        title: 'Helm rollback to revision 5 shop/payments: payments-1.4.2 (revision 8)',
        service: 'payments',
        externalId: 'prod/helm-8/helm/8',
        refs: { version: '2.3.0' },
      }),
      expect.objectContaining({ externalId: 'prod/helm-8/helm/8', status: 'succeeded' }),
    ]);
    expect(JSON.stringify([pending, done])).not.toContain('helm-value-s3cr3t-Zq81');
  });
});
