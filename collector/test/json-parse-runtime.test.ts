// The collector reads JSON with the runtime's JSON.parse: request bodies, webhook deliveries, the
// spool, and the jsonb columns of both stores. It relies on JSON.parse keeping every object key as
// written. The V8 of Node.js 24 and 26 (not of 20 or 22) breaks that: once it has parsed a key
// that ends in an escaped backslash, a key with the same beginning that ends in another escape
// (`\"`, `\n`, `\u0041`) comes out ending in a backslash (nodejs/node#63785, V8 issue 521080746).
// The property tests met it on Node 24: an event's `data` key `"` read back from the store as `\`.
// Checked in a fresh process, because the fault shows on the first such pair and not after the
// parser has warmed up.
import { execFileSync } from 'node:child_process';

/** The keys JSON.parse gives for `second` in a new process that parsed `first` before. */
function keysAfter(first: string, second: string): string[] {
  const script = `JSON.parse(${JSON.stringify(first)}); process.stdout.write(JSON.stringify(Object.keys(JSON.parse(${JSON.stringify(second)}))));`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }),
  ) as string[];
}

test.each([
  ['an escaped quote', '{"x\\\\":1}', '{"x\\"":1}', ['x"']],
  ['a lone escaped quote', '{"\\\\":1}', '{"\\"":1}', ['"']],
  ['a \\u escape', '{"k\\\\":1}', '{"k\\u0041":1}', ['kA']],
  ['an escaped line feed', '{"n\\\\":1}', '{"n\\n":1}', ['n\n']],
])(
  `this Node.js (${process.version}) parses a key ending in %s as written, after a key ending in a backslash`,
  (_name, first, second, expected) => {
    expect(keysAfter(first, second)).toEqual(expected);
  },
);
