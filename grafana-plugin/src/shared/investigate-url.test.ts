import { hasQuestion, investigatePath, readInvestigateParams } from './investigate-url';

const read = (query: string) => readInvestigateParams(new URLSearchParams(query));

describe('the Investigate page address', () => {
  it('writes only the parameters that are set, and reads them back', () => {
    const path = investigatePath({
      service: 'payments',
      environment: undefined,
      project: 'prod-eu/payments',
      at: 1764148320000.4,
    });
    expect(path).toBe('/a/painchain-app/investigate?service=payments&project=prod-eu%2Fpayments&at=1764148320000');
    expect(read(path.split('?')[1]!)).toEqual({
      params: { service: 'payments', project: 'prod-eu/payments', at: 1764148320000 },
      problems: [],
    });
    expect(investigatePath({})).toBe('/a/painchain-app/investigate');
  });

  it('takes RFC 3339 times too, and says which parameters it could not read', () => {
    expect(read('at=2026-11-26T09:12:00Z').params.at).toBe(Date.parse('2026-11-26T09:12:00Z'));
    expect(read('at=yesterday&lookback=forever&from=1764148320000&to=1764140000000').problems).toEqual([
      '"at" must be epoch milliseconds or an RFC 3339 time, not "yesterday"',
      '"lookback" must be a duration like 30m, 2h or 1d, not "forever"',
      '"from" must be before "to"',
    ]);
    expect(read('at=yesterday&lookback=forever&from=1764148320000&to=1764140000000').params).toEqual({});
  });

  it('knows when there is a question to ask', () => {
    expect(hasQuestion(read('').params)).toBe(false);
    expect(hasQuestion(read('datasource=painchain&lookback=2h').params)).toBe(false);
    expect(hasQuestion(read('alert=0193').params)).toBe(true);
    expect(hasQuestion(read('to=1764148320000').params)).toBe(true);
  });
});
