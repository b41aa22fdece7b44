// The collector as a user runs it: the built command line, on the embedded store and on
// PostgreSQL, with its start-up refusals and its graceful shutdown. Needs `npm run build`
// (npm test builds first).
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anEvent, createTestDatabase, SKIPPED_KINDS } from '../src/testing/index.js';
import { MAIN, run, start } from './collector-process.js';

const builtRun = existsSync(MAIN) ? describe : describe.skip;
if (!existsSync(MAIN)) console.warn(`*** ${MAIN} not built: run npm test (it builds first) ***`);

builtRun('the collector command', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-main-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('starts with no config on embedded PGlite, prints its URL and a first curl, keeps data across restarts', async () => {
    const env = { PAINCHAIN_DATA_DIR: join(dir, 'data') };
    const first = await start([], env);
    const listening = first.logs.find((l) => l.includes('listening on'))!;
    expect(listening).toContain('curl -X POST');
    expect(listening).toContain('embedded PGlite');
    expect(first.logs.some((l) => l.includes('no API tokens configured'))).toBe(true);

    const posted = await fetch(`${first.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(anEvent({ title: 'survives a restart' })),
    });
    expect(posted.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start([], env);
    const list = (await (await fetch(`${second.url}/api/v1/events`)).json()) as {
      events: { title: string }[];
    };
    expect(list.events.map((e) => e.title)).toEqual(['survives a restart']);
    const ready = (await (await fetch(`${second.url}/readyz`)).json()) as Record<string, string>;
    expect(ready).toMatchObject({ status: 'ready', store: 'pglite', migrations: 'applied' });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  test('SIGTERM lets an in-flight request finish before the process exits', async () => {
    const r = await start([], { PAINCHAIN_DATA_DIR: join(dir, 'data') });
    const batch = Array.from({ length: 5000 }, (_, i) => anEvent({ title: `bulk ${i}` }));
    const inflight = fetch(`${r.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: batch }),
    });
    await new Promise((res) => setTimeout(res, 100));
    r.child.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(201);
    expect(((await res.json()) as { created: number }).created).toBe(5000);
    expect(await r.exited).toBe(0);
    expect(r.logs.some((l) => l.includes('shutting down'))).toBe(true);
  });

  test('refuses to listen on a non-loopback address without tokens', async () => {
    const r = run([], { PAINCHAIN_DATA_DIR: join(dir, 'data'), PAINCHAIN_HOST: '0.0.0.0' });
    expect(await r.exited).toBe(2);
    expect(r.logs.join('\n')).toContain(
      'refusing to listen on a non-loopback address without API tokens',
    );
  });

  test('a bad config file stops start-up with file, line, path and what was expected', async () => {
    const file = join(dir, 'painchain.yaml');
    await writeFile(
      file,
      'server:\n  port: eighty\nauth:\n  tokens:\n    - name: ci\n      token: ${CI_TOKEN}\n      scopes: [ingest, write]\n',
    );
    const r = run(['--config', file], { PAINCHAIN_DATA_DIR: join(dir, 'data') });
    expect(await r.exited).toBe(2);
    const out = r.logs.join('\n');
    expect(out).toContain(`${file}:2:`);
    expect(out).toContain('server.port');
    expect(out).toContain('CI_TOKEN');
    expect(out).toMatch(/auth\.tokens\[0\]\.scopes\[1\].*ingest, read, admin/);
    expect(existsSync(join(dir, 'data'))).toBe(false); // nothing ran
  });

  test('GitHub options the connector would refuse stop start-up with file, line and the fix, before anything runs', async () => {
    const file = join(dir, 'painchain.yaml');
    await writeFile(
      file,
      [
        'connectors:',
        '  - name: github-acme',
        '    type: github',
        '    options:',
        '      token: ${GH_TOKEN}',
        '      tokenFile: /run/secrets/github-token',
        '      repositories:',
        '        - repo: api',
        '        - owner: acme',
        '          repo: web',
        '        - owner: ACME',
        '          repo: Web',
        '',
      ].join('\n'),
    );
    const r = run(['--config', file], {
      PAINCHAIN_DATA_DIR: join(dir, 'data'),
      GH_TOKEN: 'ghp_never_printed',
    });
    expect(await r.exited).toBe(2);
    const out = r.logs.join('\n');
    expect(out).toContain(
      `${file}:6:7 connectors[0].options.tokenFile: token and tokenFile: set one of them, not both`,
    );
    expect(out).toContain(
      `${file}:8:11 connectors[0].options.repositories[0]: needs an owner (or set the top-level owner)`,
    );
    expect(out).toContain(
      `${file}:11:11 connectors[0].options.repositories[2]: acme/web is listed twice (also repositories[1])`,
    );
    expect(out).not.toContain('ghp_never_printed');
    expect(existsSync(join(dir, 'data'))).toBe(false); // nothing ran
  });

  test('a port already in use stops start-up before any database is created, naming the settings', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const r = run([], { PAINCHAIN_DATA_DIR: join(dir, 'data'), PAINCHAIN_PORT: String(port) });
      expect(await r.exited).toBe(2);
      const out = r.logs.join('\n');
      expect(out).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(out).toMatch(/PAINCHAIN_PORT, server\.port in the config file, or --port/);
      expect(existsSync(join(dir, 'data'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  test('--port chooses the port, and --help says how', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const { port } = free.address() as AddressInfo;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const r = await start(['--port', String(port)], { PAINCHAIN_DATA_DIR: join(dir, 'data') });
    expect(r.url).toBe(`http://localhost:${port}`);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    const help = run(['--help'], {});
    expect(await help.exited).toBe(0);
    expect(help.logs.join('\n')).toMatch(/-p, --port N\s+port to listen on/);
  });

  test('on a terminal-style log format, readable lines and a curl that pastes as it is', async () => {
    const r = run([], { PAINCHAIN_DATA_DIR: join(dir, 'data'), PAINCHAIN_LOG_FORMAT: 'pretty' });
    const deadline = Date.now() + 30_000;
    let curl: string | undefined;
    while (!curl && Date.now() < deadline && r.child.exitCode === null) {
      curl = r.logs.map((l) => l.trim()).find((l) => l.startsWith('curl -X POST'));
      await new Promise((res) => setTimeout(res, 50));
    }
    try {
      expect(curl).toBeDefined();
      // No JSON log line: readable text, level and message.
      expect(r.logs.some((l) => l.trimStart().startsWith('{'))).toBe(false);
      expect(r.logs.join('\n')).toMatch(
        /INFO.*PainChain collector listening on http:\/\/localhost:\d+/,
      );
      // What a shell would pass to curl: the URL and the body between single quotes.
      const [, url, body] =
        /^curl -X POST (\S+) -H 'content-type: application\/json' -d '(.*)'$/.exec(curl!)!;
      const posted = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body!,
      });
      expect(posted.status).toBe(201);
    } finally {
      r.child.kill('SIGTERM');
      await r.exited;
    }
  });

  const pgRun = SKIPPED_KINDS.includes('postgres') ? test.skip : test;

  pgRun(
    'a database that cannot be used stops start-up naming DATABASE_URL and what is wrong',
    async () => {
      const refused = run([], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
      expect(await refused.exited).toBe(2);
      expect(refused.logs.join('\n')).toContain(
        'cannot use the database: nothing accepts connections at DATABASE_URL (127.0.0.1:1/test): is PostgreSQL running there?',
      );
      const missing = run([], {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/painchain_no_such_database',
      });
      expect(await missing.exited).toBe(2);
      expect(missing.logs.join('\n')).toContain(
        'the database named in DATABASE_URL (127.0.0.1:5432/painchain_no_such_database) does not exist',
      );
    },
  );
  pgRun('uses PostgreSQL when DATABASE_URL is set, with tokens from the config file', async () => {
    const database = await createTestDatabase('postgres');
    try {
      const file = join(dir, 'painchain.yaml');
      await writeFile(
        file,
        'server:\n  host: 0.0.0.0\nauth:\n  tokens:\n    - name: ci\n      token: ${CI_TOKEN}\n      scopes: [ingest, read]\n',
      );
      const r = await start(['--config', file], {
        DATABASE_URL: database.url!,
        PAINCHAIN_DATA_DIR: join(dir, 'data'),
        CI_TOKEN: 'ci-token-0123456789abcdef',
      });
      const headers = {
        authorization: 'Bearer ci-token-0123456789abcdef',
        'content-type': 'application/json',
      };
      expect(
        (
          await fetch(`${r.url}/api/v1/events`, {
            method: 'POST',
            headers,
            body: JSON.stringify(anEvent()),
          })
        ).status,
      ).toBe(201);
      expect((await fetch(`${r.url}/api/v1/events`)).status).toBe(401);
      const ready = (await (await fetch(`${r.url}/readyz`)).json()) as Record<string, string>;
      expect(ready.store).toBe('postgres');
      expect(r.logs.join('\n')).not.toContain('ci-token-0123456789abcdef');
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
