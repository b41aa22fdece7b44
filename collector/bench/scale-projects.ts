// The 500 projects of the scale store (BENCH_PHASES=scale): the fill draws them skewed, as it
// does the generator's fifty, and the scale phase's filters name them.
export const SCALE_PROJECTS: readonly string[] = Array.from(
  { length: 500 },
  (_, i) =>
    `${['acme', 'globex', 'initech', 'umbrella', 'hooli'][i % 5]}/repo-${String(i).padStart(3, '0')}`,
);
