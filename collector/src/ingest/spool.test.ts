// The spool file on a real disk: appends survive a reopen (a restart), acknowledged records are
// never read again, a torn last line (a kill -9 mid-write, never acknowledged) is cut off, an
// offset past the end (a crash during compaction) means "all drained", and the size limit
// refuses without writing.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OFFSET_FILE,
  REJECTED_FILE,
  SPOOL_FILE,
  Spool,
  SpoolFullError,
  type SpoolRecord,
} from './spool.js';
import type { NormalizedEvent } from './normalize.js';

const LIMIT = 10 * 1024 * 1024;

function event(externalId: string): NormalizedEvent {
  return {
    connector: 'ci',
    externalId,
    kind: 'deploy',
    status: 'succeeded',
    title: `deploy ${externalId} — ünïcode ✓`,
    description: null,
    project: 'acme/api',
    service: 'api',
    environment: 'production',
    timestamp: new Date('2026-11-25T10:00:00.123Z'),
    endTimestamp: null,
    updatedAt: new Date('2026-11-25T10:05:00Z'),
    author: null,
    url: null,
    refs: { commit: 'abc123' },
    tags: ['a'],
    data: { nested: { n: 1 } },
  };
}

const record = (id: string, tenant = 'default'): SpoolRecord => ({
  tenant,
  origin: 'api',
  receivedAt: '2026-11-26T12:00:00.000Z',
  events: [event(id)],
});

describe('Spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-spool-unit-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('records come back in order, equal to what was appended (dates as dates), across a reopen', async () => {
    const spool = await Spool.open(dir);
    await Promise.all(['a', 'b', 'c'].map((id) => spool.append(record(id), LIMIT)));
    expect(spool.records).toBe(3);
    await spool.close();

    const again = await Spool.open(dir);
    expect(again.records).toBe(3);
    const entries = await again.peek(10);
    expect(entries.map((e) => e.record)).toEqual(['a', 'b', 'c'].map((id) => record(id)));
    expect(entries[0]!.record.events[0]!.timestamp).toBeInstanceOf(Date);
    await again.close();
  });

  test('acknowledged records are not read again, after a reopen either; an empty spool starts its file over', async () => {
    const spool = await Spool.open(dir);
    for (const id of ['a', 'b', 'c']) await spool.append(record(id), LIMIT);
    const [first] = await spool.peek(1);
    await spool.acknowledge(first!.end, 1);
    expect(spool.records).toBe(2);
    await spool.close();

    const reopened = await Spool.open(dir);
    expect((await reopened.peek(10)).map((e) => e.record.events[0]!.externalId)).toEqual([
      'b',
      'c',
    ]);
    const rest = await reopened.peek(10);
    await reopened.acknowledge(rest.at(-1)!.end, rest.length);
    expect([reopened.records, reopened.bytes]).toEqual([0, 0]);
    expect((await stat(join(dir, SPOOL_FILE))).size).toBe(0);
    expect(await readFile(join(dir, OFFSET_FILE), 'utf8')).toBe('0');
    await reopened.append(record('d'), LIMIT);
    expect((await reopened.peek(10)).map((e) => e.record.events[0]!.externalId)).toEqual(['d']);
    await reopened.close();
  });

  test('a torn last line (the process died while writing it) is cut off at the next open', async () => {
    const spool = await Spool.open(dir);
    await spool.append(record('kept'), LIMIT);
    await spool.close();
    const path = join(dir, SPOOL_FILE);
    const whole = await readFile(path);
    await appendFile(path, whole.subarray(0, 40));

    const reopened = await Spool.open(dir);
    expect(reopened.records).toBe(1);
    expect((await stat(path)).size).toBe(whole.length);
    await reopened.append(record('next'), LIMIT);
    expect((await reopened.peek(10)).map((e) => e.record.events[0]!.externalId)).toEqual([
      'kept',
      'next',
    ]);
    await reopened.close();
  });

  test('a line whose checksum does not match ends the readable spool there', async () => {
    const spool = await Spool.open(dir);
    await spool.append(record('good'), LIMIT);
    await spool.close();
    const path = join(dir, SPOOL_FILE);
    await appendFile(path, (await readFile(path, 'utf8')).replace('good', 'evil'));
    const reopened = await Spool.open(dir);
    expect(reopened.records).toBe(1);
    await reopened.close();
  });

  test('an offset past the end of the file (a crash between compaction and the offset) reads as drained', async () => {
    const spool = await Spool.open(dir);
    await spool.append(record('a'), LIMIT);
    await spool.close();
    await writeFile(join(dir, SPOOL_FILE), '');
    await writeFile(join(dir, OFFSET_FILE), '12345');
    const reopened = await Spool.open(dir);
    expect([reopened.records, reopened.bytes]).toEqual([0, 0]);
    await reopened.append(record('b'), LIMIT);
    expect((await reopened.peek(10)).map((e) => e.record.events[0]!.externalId)).toEqual(['b']);
    await reopened.close();
  });

  test('the limit refuses a record that would not fit, and writes nothing of it', async () => {
    const spool = await Spool.open(dir);
    await spool.append(record('a'), LIMIT);
    const size = spool.bytes;
    await expect(spool.append(record('b'), size + 10)).rejects.toBeInstanceOf(SpoolFullError);
    expect([spool.records, spool.bytes]).toEqual([1, size]);
    await spool.close();
  });

  test('a rejected record is kept beside the spool with its reason', async () => {
    const spool = await Spool.open(dir);
    await spool.append(record('bad', 'acme'), LIMIT);
    const [entry] = await spool.peek(1);
    await spool.reject(entry!, 'value too long');
    const kept = JSON.parse(await readFile(join(dir, REJECTED_FILE), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(kept).toMatchObject({ reason: 'value too long', tenant: 'acme' });
    await spool.close();
  });
});
