// Helm release Secrets decode to the release's facts, and only those.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { decodeHelmRelease } from './helm-release.js';

const releaseJson = readFileSync(
  new URL('../../testdata/helm-release.json', import.meta.url),
  'utf8',
);
/** As Helm's Secret driver stores it, and as the API server then sends Secret data. */
const asSecretValue = (json: string, gzip = true) => {
  const helm = (gzip ? gzipSync(Buffer.from(json)) : Buffer.from(json)).toString('base64');
  return Buffer.from(helm).toString('base64');
};

describe('decodeHelmRelease', () => {
  it('reads name, chart, versions, revision and status from a gzipped release', () => {
    expect(decodeHelmRelease(asSecretValue(releaseJson))).toEqual({
      name: 'payments',
      namespace: 'shop',
      revision: 7,
      status: 'deployed',
      description: 'Upgrade complete',
      chart: 'payments',
      chartVersion: '1.4.2',
      appVersion: '2.3.0',
      deployedAt: '2016-10-04T12:20:05.411207+00:00',
    });
  });

  it('keeps nothing of the values, the manifest or the notes', () => {
    const kept = JSON.stringify(decodeHelmRelease(asSecretValue(releaseJson)));
    for (const hidden of [
      'helm-value-s3cr3t-Zq81',
      'apiVersion: apps/v1',
      'Thank you',
      'registry.example.com',
    ]) {
      expect(kept).not.toContain(hidden);
    }
  });

  it('reads an uncompressed release too (older Helm 3 drivers)', () => {
    expect(decodeHelmRelease(asSecretValue(releaseJson, false)).revision).toBe(7);
  });

  it('refuses data that is not a release', () => {
    expect(() => decodeHelmRelease(asSecretValue('{"hello":"world"}'))).toThrow(
      /not a Helm release/,
    );
    expect(() => decodeHelmRelease('bm90IGpzb24=')).toThrow();
  });
});
