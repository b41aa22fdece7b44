// A standalone connector's state file: survives a restart, written whole (never half).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileState } from './file-state.js';

test('values survive a new instance on the same file; concurrent writes all land', async () => {
  const path = join(
    await mkdtemp(join(tmpdir(), 'painchain-state-')),
    'nested',
    'github.state.json',
  );
  const state = fileState(path);
  expect(await state.get('cursor')).toBeUndefined();
  await Promise.all([
    state.set('a', { etag: 'W/"1"' }),
    state.set('b', [1, 2]),
    state.set('c', 'x'),
  ]);
  await state.delete('c');
  const again = fileState(path);
  expect(await again.get('a')).toEqual({ etag: 'W/"1"' });
  expect(await again.get('b')).toEqual([1, 2]);
  expect(await again.get('c')).toBeUndefined();
  expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: { etag: 'W/"1"' }, b: [1, 2] });
  await expect(state.set('bad', undefined)).rejects.toThrow(/not JSON-serializable/);
});
