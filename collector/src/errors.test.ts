// Every error code the API can answer is documented in docs/errors.md, and the table lists no
// code that does not exist.
import { readFile } from 'node:fs/promises';
import { Errors } from './errors.js';

test('docs/errors.md lists exactly the codes of errors.ts, with their statuses', async () => {
  const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map(
    [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})/gm)].map(
      (m) => [m[1]!, Number(m[2])] as const,
    ),
  );
  const defined = new Map(
    Object.values(Errors).map((E) => {
      const e = new E('x', 'y');
      return [e.code, e.statusCode] as const;
    }),
  );
  expect([...documented.keys()].sort()).toEqual([...defined.keys()].sort());
  for (const [code, status] of defined)
    expect({ code, status: documented.get(code) }).toEqual({ code, status });
});
