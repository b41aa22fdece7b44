import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { createTheme } from '@grafana/data';
import {
  differenceCiede2000,
  filterDeficiencyDeuter,
  filterDeficiencyProt,
  filterDeficiencyTrit,
  parse,
  wcagContrast,
  type Color,
} from 'culori';
import { kindPaletteSvg } from '../../test/support/kind-palette-svg';
import { KIND_PALETTE, KINDS, kindColor } from './kind-colors';

/** Below this CIEDE2000 distance two markers side by side start to look alike. */
const MIN_DISTANCE = 6.5;
/** WCAG 2.1 non-text contrast (1.4.11): a marker against the panel background. */
const MIN_CONTRAST = 3;

const distance = differenceCiede2000();
const VISIONS: Record<string, (c: Color) => Color> = {
  'normal vision': (c) => c,
  // Machado, Oliveira & Fernandes (2009), full severity: the three dichromacies.
  protanopia: filterDeficiencyProt(1),
  deuteranopia: filterDeficiencyDeuter(1),
  tritanopia: filterDeficiencyTrit(1),
};

const color = (hex: string): Color => parse(hex)!;

describe.each(['dark', 'light'] as const)('the kind palette in the %s theme', (mode) => {
  const palette = KIND_PALETTE[mode];
  const theme = createTheme({ colors: { mode } });

  it('gives every kind of the event contract its own colour', () => {
    expect(Object.keys(palette).sort()).toEqual([...KINDS].sort());
    expect(new Set(Object.values(palette)).size).toBe(KINDS.length);
    for (const kind of KINDS) {
      expect(kindColor(theme, kind)).toBe(palette[kind]);
    }
    expect(kindColor(theme, 'a-kind-from-a-newer-collector')).toBe(theme.colors.text.secondary);
  });

  it.each(Object.keys(VISIONS))('keeps every pair of kinds apart under %s', (vision) => {
    const see = VISIONS[vision]!;
    const tooClose: string[] = [];
    for (const [i, a] of KINDS.entries()) {
      for (const b of KINDS.slice(i + 1)) {
        const d = distance(see(color(palette[a])), see(color(palette[b])));
        if (d < MIN_DISTANCE) {
          tooClose.push(`${a}/${b} ΔE ${d.toFixed(1)}`);
        }
      }
    }
    expect(tooClose).toEqual([]);
  });

  it("stands out from the panel's background", () => {
    const weak = KINDS.filter((k) => wcagContrast(palette[k], theme.colors.background.primary) < MIN_CONTRAST);
    expect(weak).toEqual([]);
  });
});

it('fixes what the old palette got wrong: config and pipeline are no longer two close blues', () => {
  for (const mode of ['dark', 'light'] as const) {
    const { config, pipeline } = KIND_PALETTE[mode];
    expect(distance(color(config), color(pipeline))).toBeGreaterThan(20);
  }
});

it('is the palette the documentation shows (docs/img/kind-palette.svg)', () => {
  const file = join(__dirname, '../../../docs/img/kind-palette.svg');
  const backgrounds = {
    dark: createTheme({ colors: { mode: 'dark' } }).colors.background.primary,
    light: createTheme({ colors: { mode: 'light' } }).colors.background.primary,
  };
  const svg = kindPaletteSvg(KIND_PALETTE, backgrounds);
  // PAINCHAIN_UPDATE_SCREENSHOTS=1 renews the documentation's pictures (README, "Development").
  if (process.env.PAINCHAIN_UPDATE_SCREENSHOTS === '1') {
    writeFileSync(file, svg);
  }
  expect(readFileSync(file, 'utf8')).toBe(svg);
});
