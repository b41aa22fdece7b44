// The test context must behave like the collector's: validated events, JSON state, no emit after abort.
import type { ChangeEventInput } from '../change-event.js';
import { createTestContext } from './create-test-context.js';

const deploy: ChangeEventInput = {
  connector: 'github',
  kind: 'deploy',
  title: 'deploy api',
  project: 'acme/api',
  timestamp: '2026-11-25T10:00:00Z',
  externalId: 'run-1',
};

describe('createTestContext', () => {
  it('records valid events and answers like the pipeline, updating on a repeated externalId', async () => {
    const { ctx, emitted } = createTestContext({ config: {} });
    const first = await ctx.emit([deploy, { ...deploy, externalId: 'run-2' }]);
    const again = await ctx.emit({ ...deploy, status: 'succeeded' });
    expect(first).toMatchObject({ created: 2, updated: 0 });
    expect(again).toMatchObject({ created: 0, updated: 1, ids: [first.ids[0]] });
    expect(emitted).toHaveLength(3);
  });

  it('rejects an invalid event with every error, and records nothing', async () => {
    const { ctx, emitted, violations } = createTestContext({ config: {} });
    const invalid = { ...deploy, title: '', extra: true } as unknown as ChangeEventInput;
    await expect(ctx.emit([deploy, invalid])).rejects.toThrow(
      /invalid change event\(s\):\n\s+event\[1\]\/.*\n\s+event\[1\]/,
    );
    expect(emitted).toEqual([]);
    expect(violations.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses emit after abort, also when the outer signal aborts', async () => {
    const outer = new AbortController();
    const { ctx, emitted, violations } = createTestContext({ config: {}, signal: outer.signal });
    outer.abort();
    expect(ctx.signal.aborted).toBe(true);
    await expect(ctx.emit(deploy)).rejects.toThrow(/after ctx\.signal was aborted/);
    expect(emitted).toEqual([]);
    expect(violations).toHaveLength(1);
  });

  it('keeps state as JSON, as the store does', async () => {
    const { ctx, state } = createTestContext({ config: {} });
    await ctx.state.set('cursor', { since: new Date('2026-11-25T10:00:00Z') });
    expect(state.get('cursor')).toEqual({ since: '2026-11-25T10:00:00.000Z' });
    const read = await ctx.state.get<{ since: string }>('cursor');
    expect(read).toEqual({ since: '2026-11-25T10:00:00.000Z' });
    await expect(ctx.state.set('nothing', undefined)).rejects.toThrow(/not JSON-serializable/);
    await ctx.state.delete('cursor');
    expect(await ctx.state.get('cursor')).toBeUndefined();
  });

  it('records every health report', () => {
    const { ctx, health } = createTestContext({ config: {} });
    ctx.reportHealth({ message: 'polling 2 repositories' });
    ctx.reportHealth({ progress: { phase: 'backfill', done: 1, total: 2 } });
    expect(health).toEqual([
      { message: 'polling 2 repositories' },
      { progress: { phase: 'backfill', done: 1, total: 2 } },
    ]);
  });
});
