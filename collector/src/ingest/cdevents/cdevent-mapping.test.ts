// Package URLs (CDEvents' artifactId) as the image and version references the chain view links.
import { imageOfPurl, versionOfPurl } from './cdevent-mapping.js';

test.each([
  [
    'pkg:oci/app@sha256%3A0123abcd?repository_url=ghcr.io/acme/app',
    'ghcr.io/acme/app@sha256:0123abcd',
  ],
  ['pkg:oci/app@sha256%3A0123abcd', 'app@sha256:0123abcd'],
  [
    'pkg:oci/app@v1.2.3?arch=amd64&repository_url=registry.example/acme/app',
    'registry.example/acme/app:v1.2.3',
  ],
  ['pkg:docker/acme/app@1.2', 'acme/app:1.2'],
  ['pkg:docker/acme/app', 'acme/app'],
  ['pkg:npm/left-pad@1.3.0', undefined],
  ['not a purl', undefined],
])('%s is the image %s', (purl, image) => {
  expect(imageOfPurl(purl)).toBe(image);
});

test('the version of a package URL, decoded', () => {
  expect(versionOfPurl('pkg:npm/%40acme/app@1.3.0')).toBe('1.3.0');
  expect(versionOfPurl('pkg:oci/app@sha256%3Aab?x=1')).toBe('sha256:ab');
  expect(versionOfPurl('pkg:oci/app')).toBeUndefined();
});
