// JSON request bodies: parsed with prototype-poisoning protection (as fastify's own parser), but
// a syntax error says where it is — position, line and column, once — so the sender can fix it.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import sjson from 'secure-json-parse';
import { Errors } from '../errors.js';

/** `…at position 14 (line 1 column 15)`, whatever the engine's own wording had. */
export function describeJsonError(error: unknown, text: string): string {
  const message = (error instanceof Error ? error.message : String(error))
    // Newer V8 versions add the line and column themselves: say it once.
    .replace(/\s*\(line \d+ column \d+\)\s*$/, '');
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `${message} (line ${line} column ${column})`;
}

const jsonBodyParserPlugin: FastifyPluginAsync = async (app) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(new Errors.InvalidJson('the body is empty'), undefined);
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(new Errors.InvalidJson(describeJsonError(error, text)), undefined);
    }
  });
};

/** Registered on the root instance, so that every route but the webhooks (raw bytes) uses it. */
export const jsonBodyParser = fp(jsonBodyParserPlugin, { name: 'painchain-json-body' });
