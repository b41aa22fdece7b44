// Helm 3 keeps each release revision in a Secret of type helm.sh/release.v1: the JSON release,
// gzipped and base64-encoded (then base64 again as Secret data). Decoded in memory, only the
// release's name, chart, version, revision and status are kept: never its values or manifest.
import { gunzipSync } from 'node:zlib';

export const HELM_RELEASE_TYPE = 'helm.sh/release.v1';
/** Helm's release JSON beyond a few MB is not a release; refuse rather than inflate it. */
const MAX_RELEASE_BYTES = 32 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/** What PainChain takes from a Helm release. */
export interface HelmRelease {
  name: string;
  namespace?: string;
  revision: number;
  /** deployed, superseded, failed, pending-install, pending-upgrade, pending-rollback, uninstalling, … */
  status: string;
  description?: string;
  chart?: string;
  chartVersion?: string;
  appVersion?: string;
  deployedAt?: string;
}

interface HelmReleaseJson {
  name?: unknown;
  namespace?: unknown;
  version?: unknown;
  info?: { status?: unknown; description?: unknown; last_deployed?: unknown };
  chart?: { metadata?: { name?: unknown; version?: unknown; appVersion?: unknown } };
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The release from the Secret's `data.release` value (base64 as the API server sends it). */
export function decodeHelmRelease(secretValue: string): HelmRelease {
  const helmEncoded = Buffer.from(secretValue, 'base64').toString('latin1');
  let bytes = Buffer.from(helmEncoded, 'base64');
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    bytes = gunzipSync(bytes, { maxOutputLength: MAX_RELEASE_BYTES });
  }
  const release = JSON.parse(bytes.toString('utf8')) as HelmReleaseJson;
  const name = text(release.name);
  const revision = typeof release.version === 'number' ? release.version : NaN;
  if (!name || !Number.isInteger(revision))
    throw new Error('not a Helm release: no name or version');
  return {
    name,
    namespace: text(release.namespace),
    revision,
    status: text(release.info?.status) ?? 'unknown',
    description: text(release.info?.description),
    chart: text(release.chart?.metadata?.name),
    chartVersion: text(release.chart?.metadata?.version),
    appVersion: text(release.chart?.metadata?.appVersion),
    deployedAt: text(release.info?.last_deployed),
  };
}
