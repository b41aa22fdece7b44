// Per-caller request limits (`server.rateLimit`, off by default) with @fastify/rate-limit: counted
// per token, or per client address on routes that take no token. Health and metrics are never
// limited: orchestrators and Prometheus poll them, and a throttled probe restarts a healthy pod.
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/config-schema.js';
import { Errors } from '../errors.js';

export interface RateLimitOptions {
  /** undefined: no limit, and the plugin adds nothing (no hook, no headers). */
  settings: Config['server']['rateLimit'];
}

export const UNLIMITED_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The bucket a request counts against. The principal is set by the auth hook, which runs
 * before this plugin's (it is registered first): one token's traffic never throttles another's.
 */
export function rateLimitKey(request: FastifyRequest): string {
  return request.principal ? `token:${request.principal.name}` : `address:${request.ip}`;
}

const rateLimitPlugin: FastifyPluginAsync<RateLimitOptions> = async (app, { settings }) => {
  if (!settings) return;
  await app.register(rateLimit, {
    global: true,
    max: settings.max,
    timeWindow: settings.windowSeconds * 1000,
    keyGenerator: rateLimitKey,
    allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? ''),
    // Thrown, so the error handler answers it in the API's shape; the plugin has already set
    // Retry-After and the X-RateLimit-* headers.
    errorResponseBuilder: (_request, context) =>
      new Errors.RateLimited(context.max, settings.windowSeconds),
  });
};

export const rateLimits = fp(rateLimitPlugin, {
  name: 'painchain-rate-limit',
  dependencies: ['painchain-auth'],
});
