// The OpenTelemetry resource every signal of the collector carries: service.name (default
// `painchain-collector`) and service.version, overridden by OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES as the specification says.
import type { Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { VERSION } from '../version.js';
import { DEFAULT_SERVICE_NAME } from './otel-settings.js';
import { otel } from './otel-sdk.js';

/** service.name and service.version as the collector names itself. */
export function baseResource(): Resource {
  return otel.resources().resourceFromAttributes({
    [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: VERSION,
  });
}

/** The base resource with OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (process.env) over it. */
export function telemetryResource(): Resource {
  const { detectResources, envDetector } = otel.resources();
  return baseResource().merge(detectResources({ detectors: [envDetector] }));
}
