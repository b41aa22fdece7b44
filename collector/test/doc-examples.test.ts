// The curl examples of the README and docs/ingest-from-ci.md, run as written against a real
// collector listening on loopback: documentation that stops working fails the build.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createTestDatabase,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** The ```sh blocks of a markdown file that call curl. */
async function curlBlocks(file: string): Promise<string[]> {
  const text = await readFile(`${root}${file}`, 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => /^curl /m.test(b));
}

describe('documented curl examples', () => {
  let database: TestDatabase;
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    t = await startApp(database);
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  const sh = (script: string, env: Record<string, string> = {}) =>
    run(
      'bash',
      [
        '-euo',
        'pipefail',
        '-c',
        script
          .replaceAll('http://localhost:8000', url)
          .replace(/\bcurl (?!-f)/g, 'curl --fail-with-body '),
      ],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    );

  test('README: every curl answers 2xx and the events are stored', async () => {
    const blocks = await curlBlocks('README.md');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) await sh(block);
    const events = (await t.app.inject('/api/v1/events')).json().events;
    expect(events.map((e: { title: string }) => e.title).sort()).toEqual([
      'Deploy api v1.4.2 to production',
      'Pipeline #8812 on main',
    ]);
  });

  test('docs/ingest-from-ci.md: the curl step stores the deploy', async () => {
    const [block] = await curlBlocks('docs/ingest-from-ci.md');
    const { stdout } = await sh(block!, {
      PAINCHAIN_URL: url,
      PAINCHAIN_INGEST_TOKEN: 'not-checked-without-tokens',
      BUILD_ID: '77',
      VERSION: '1.4.3',
      STARTED_AT: new Date(Date.now() - 120_000).toISOString(),
      USER: 'dana',
      BUILD_URL: 'https://ci.example.com/builds/77',
      GIT_SHA: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    });
    expect(JSON.parse(stdout)).toMatchObject({ created: 1 });
    const [event] = (await t.app.inject('/api/v1/events?q=1.4.3')).json().events;
    expect(event).toMatchObject({
      externalId: 'deploy-api-77',
      kind: 'deploy',
      status: 'succeeded',
      author: 'dana',
      refs: { commit: '9fceb02d0ae598e95dc970b74767f19372d61af8', version: '1.4.3' },
    });
  });
});
