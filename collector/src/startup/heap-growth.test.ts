import { HEAP_GROWING_PERCENT, heapGrowthFlag } from './heap-growth.js';

describe('the heap growth flag', () => {
  test('is set to the collector default when node was given none', () => {
    expect(heapGrowthFlag([])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag(['--max-old-space-size=512', '--heap-prof'])).toBe(
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    );
  });

  test('is left to the command line when it names one, in either spelling', () => {
    expect(heapGrowthFlag(['--heap-growing-percent=200'])).toBeUndefined();
    expect(heapGrowthFlag(['--heap_growing_percent=10'])).toBeUndefined();
    expect(heapGrowthFlag(['--heap-growing-percent', '30'])).toBeUndefined();
  });
});
