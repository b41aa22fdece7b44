// The kind palette as a picture for the documentation (docs/img/kind-palette.svg): one row per
// kind, its dark-theme and light-theme colour on their theme's background, drawn from the palette
// the plugin uses, so the documentation cannot show other colours than the panel.
import type { ChangeKind } from '@painchain/sdk';

const ROW = 26;
const WIDTH = 420;

export function kindPaletteSvg(
  palette: Record<'dark' | 'light', Record<ChangeKind, string>>,
  backgrounds: Record<'dark' | 'light', string>
): string {
  const kinds = Object.keys(palette.dark) as ChangeKind[];
  const height = ROW * (kinds.length + 1);
  const rows = kinds.map((kind, i) => {
    const y = ROW * (i + 1);
    return [
      `  <text x="12" y="${y + 17}" font-size="13" fill="#555">${kind.replace('_', ' ')}</text>`,
      `  <circle cx="190" cy="${y + 13}" r="8" fill="${palette.dark[kind]}"/>`,
      `  <text x="206" y="${y + 17}" font-size="12" fill="#ccccdc">${palette.dark[kind]}</text>`,
      `  <circle cx="320" cy="${y + 13}" r="8" fill="${palette.light[kind]}"/>`,
      `  <text x="336" y="${y + 17}" font-size="12" fill="#24292e">${palette.light[kind]}</text>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="Inter, Helvetica, Arial, sans-serif">`,
    `  <rect width="${WIDTH}" height="${height}" fill="#f4f5f5"/>`,
    `  <rect x="170" width="125" height="${height}" fill="${backgrounds.dark}"/>`,
    `  <rect x="300" width="120" height="${height}" fill="${backgrounds.light}"/>`,
    `  <text x="12" y="18" font-size="13" font-weight="bold" fill="#333">kind</text>`,
    `  <text x="182" y="18" font-size="13" font-weight="bold" fill="#ccccdc">dark</text>`,
    `  <text x="312" y="18" font-size="13" font-weight="bold" fill="#24292e">light</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
