// The store's reachability as learned from statements: which errors say "unreachable", one
// transition (and one log line) per change, and a statement that began before the store went
// down does not bring it back up by finishing late.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { isStoreUnreachable, StoreHealth } from './store-health.js';

const lines: string[] = [];
// A real pino logger whose lines are kept as "level message".
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      const { level, msg } = JSON.parse(chunk.toString()) as { level: number; msg: string };
      lines.push(`${pino.levels.labels[level]} ${msg}`);
      done();
    },
  }),
);

describe('StoreHealth', () => {
  beforeEach(() => (lines.length = 0));

  test('errors that mean "cannot reach the store", and ones that do not', () => {
    const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const err of [
      coded('ECONNREFUSED'),
      coded('57P01', 'terminating connection due to administrator command'),
      coded('57014', 'canceling statement due to statement timeout'),
      new Error('Query read timeout'),
      new Error('timeout exceeded when trying to connect'),
      { code: 'ECONNRESET', message: 'read ECONNRESET' }, // another realm's Error
    ])
      expect([err, isStoreUnreachable(err)]).toEqual([err, true]);
    for (const err of [
      coded('23505', 'duplicate key value'),
      coded('42P01', 'relation "events" does not exist'),
      new TypeError('x is undefined'),
      'ECONNREFUSED',
      null,
    ])
      expect([err, isStoreUnreachable(err)]).toEqual([err, false]);
  });

  test('one line per change of state, however many failures in between', () => {
    const health = new StoreHealth('postgres', log);
    for (let i = 0; i < 50; i += 1) health.markDown(new Error('connect ECONNREFUSED'));
    expect(health.state).toBe('down');
    expect(health.reason).toBe('connect ECONNREFUSED');
    health.markUp();
    health.markUp();
    expect(lines).toEqual([
      'warn store unreachable: changes are spooled to disk until it is back',
      'info store reachable again',
    ]);
  });

  test('a statement begun before the outage that succeeds after it does not mark the store up', () => {
    const health = new StoreHealth('postgres', log);
    const before = health.downs;
    health.markDown(new Error('read ECONNRESET'));
    health.markUp(before);
    expect(health.state).toBe('down');
    health.markUp(health.downs);
    expect(health.state).toBe('up');
  });
});
