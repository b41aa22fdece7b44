// Names the http instrumentation's server span after the fastify route (`POST /api/v1/events`)
// and sets http.route: node:http alone only knows the method, and ids in raw paths would make
// every span name unique.
import { trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

const httpRouteSpansPlugin: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', async (request) => {
    // The request runs inside the server span's context (AsyncLocalStorage), when there is one.
    const span = trace.getActiveSpan();
    const route = request.routeOptions.url;
    if (!span || !route) return;
    span.setAttribute(ATTR_HTTP_ROUTE, route);
    span.updateName(`${request.method} ${route}`);
  });
};

export const httpRouteSpans = fp(httpRouteSpansPlugin, { name: 'painchain-http-route-spans' });
