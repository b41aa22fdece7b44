// Bearer-token authentication with scopes, each token bound to a tenant. A route declares the
// scope it needs in `config.scope`; routes without one (health, metrics, docs) are public.
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DEFAULT_TENANT, type Scope, type TokenConfig } from '../config/config-schema.js';
import { Errors } from '../errors.js';

export interface Principal {
  /** The token's name from the config, or `anonymous` when auth is off. */
  name: string;
  tenant: string;
  scopes: ReadonlySet<Scope>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a caller needs; absent = public route. */
    scope?: Scope;
    /**
     * Also take basic auth with the token as the password: for routes that senders without a
     * bearer field call (Grafana's webhook contact point). Bearer only everywhere else.
     */
    basicAuth?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface AuthOptions {
  /** Empty when auth is off (loopback-only or `auth.disabled`). */
  tokens: readonly Required<TokenConfig>[];
}

const ALL_SCOPES: ReadonlySet<Scope> = new Set(['ingest', 'read', 'admin']);
const ANONYMOUS: Principal = { name: 'anonymous', tenant: DEFAULT_TENANT, scopes: ALL_SCOPES };

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The token in an Authorization header: `Bearer <token>`, or, where the route allows it, basic
 * auth with the token as the password.
 */
function presentedToken(header: string, basicAuth: boolean): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  if (!basicAuth) return undefined;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  return password === '' ? undefined : password;
}

const authPlugin: FastifyPluginAsync<AuthOptions> = async (app, { tokens }) => {
  // Comparing fixed-length digests keeps the comparison constant-time whatever the lengths;
  // every token is compared, so the time does not tell which one (or whether any) matched.
  const known = tokens.map((t) => ({
    digest: digest(t.token),
    principal: {
      name: t.name,
      tenant: t.tenant,
      scopes: t.scopes.includes('admin') ? ALL_SCOPES : new Set(t.scopes),
    } satisfies Principal,
  }));

  const identify = (request: FastifyRequest): Principal => {
    const header = request.headers.authorization;
    if (!header) throw new Errors.Unauthorized('Send the header Authorization: Bearer <token>');
    const basicAuth = request.routeOptions.config.basicAuth === true;
    const token = presentedToken(header, basicAuth);
    if (token === undefined)
      throw new Errors.Unauthorized(
        basicAuth
          ? 'The Authorization header must be "Bearer <token>", or basic auth with the token as the password'
          : 'The Authorization header must be "Bearer <token>"',
      );
    const presented = digest(token);
    let found: Principal | undefined;
    for (const k of known) if (timingSafeEqual(k.digest, presented)) found = k.principal;
    if (!found) throw new Errors.Unauthorized('The token is not valid');
    return found;
  };

  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    if (known.length === 0) {
      request.principal = ANONYMOUS;
      return;
    }
    try {
      request.principal = identify(request);
    } catch (err) {
      reply.header('www-authenticate', 'Bearer realm="painchain"');
      throw err;
    }
    if (!request.principal.scopes.has(scope)) throw new Errors.Forbidden(scope);
  });
};

export const auth = fp(authPlugin, { name: 'painchain-auth' });
