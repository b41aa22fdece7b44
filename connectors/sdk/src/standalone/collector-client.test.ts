// The standalone connector's HTTP client: retries what is worth retrying, fails fast on 4xx,
// never puts the token in an error.
import { CollectorClient, CollectorRequestError } from './collector-client.js';

const event = {
  connector: 'github',
  title: 'push',
  project: 'acme/api',
  timestamp: '2026-01-01T00:00:00Z',
};

/** A fetch that answers from a script and records every call. */
function scripted(answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchStub = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { calls, fetchStub };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('CollectorClient', () => {
  test('posts events with the bearer token and answers like ctx.emit()', async () => {
    const { calls, fetchStub } = scripted([
      json(201, { ids: ['a'], created: 1, updated: 0, unchanged: 0, duplicates: 0 }),
    ]);
    const client = new CollectorClient({
      url: 'http://c:8000/',
      token: 'pc_secret',
      fetch: fetchStub,
    });
    await expect(client.postEvents([event])).resolves.toEqual({
      ids: ['a'],
      created: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(calls[0]!.url).toBe('http://c:8000/api/v1/events');
    expect((calls[0]!.init?.headers as Record<string, string>).authorization).toBe(
      'Bearer pc_secret',
    );
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual({ events: [event] });
  });

  test('retries network errors, 429 and 5xx, then succeeds', async () => {
    const { calls, fetchStub } = scripted([
      new TypeError('fetch failed'),
      json(503, { error: 'store_unavailable', message: 'down' }),
      json(429, { error: 'slow_down', message: '' }),
      json(200, { ids: ['a'], created: 0, updated: 1, unchanged: 0 }),
    ]);
    const client = new CollectorClient({ url: 'http://c', fetch: fetchStub, retryDelayMs: 1 });
    await expect(client.postEvents([event])).resolves.toMatchObject({ updated: 1 });
    expect(calls).toHaveLength(4);
  });

  test('a 4xx fails at once with the collector’s code, without the token', async () => {
    const { calls, fetchStub } = scripted([
      json(400, { error: 'invalid_event', message: 'The request contains invalid events' }),
    ]);
    const client = new CollectorClient({
      url: 'http://c',
      token: 'pc_secret',
      fetch: fetchStub,
      retryDelayMs: 1,
    });
    const failure = client.postEvents([event]);
    await expect(failure).rejects.toThrow(CollectorRequestError);
    await expect(failure).rejects.toThrow(/400 invalid_event: The request contains invalid events/);
    await expect(failure).rejects.not.toThrow(/pc_secret/);
    expect(calls).toHaveLength(1);
  });

  test('gives up after the retries, naming the last failure; a heartbeat is tried once', async () => {
    const { calls, fetchStub } = scripted([
      json(502, {}),
      json(502, {}),
      json(502, {}),
      json(502, {}),
    ]);
    const client = new CollectorClient({
      url: 'http://c',
      fetch: fetchStub,
      retries: 2,
      retryDelayMs: 1,
    });
    await expect(client.postEvents([event])).rejects.toThrow(/events: 502/);
    expect(calls).toHaveLength(3);
    await expect(client.heartbeat('gh', { type: 'github', state: 'running' })).rejects.toThrow(
      /heartbeat: 502/,
    );
    expect(calls).toHaveLength(4);
  });
});
