/**
 * Renders Whisper's icons into client/public/ (the PNGs are committed, so this
 * only needs to run again when the logo changes):
 *
 *   node --import tsx client/scripts/make-icons.ts     (npm run icons)
 *
 * One SVG mark, a chat bubble with three soft dots, drawn on a 512-unit
 * canvas and rendered by sharp at each size so every PNG is crisp.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** Design units of the SVG canvas; every coordinate below is in these. */
const CANVAS = 512;
const CENTER = CANVAS / 2;

/** The brand accent (see --color-accent in client/src/index.css), as a gentle diagonal gradient. */
const GRADIENT_FROM = '#6366f1';
const GRADIENT_TO = '#4338ca';
const BUBBLE_FILL = '#ffffff';
const DOT_FILL = '#4f46e5';

/** Corner radius of the rounded-square tile used for "any" icons and the favicon. */
const TILE_RADIUS = 112;

/**
 * Maskable icons are cropped by the platform (circle, squircle, …); only a
 * centred circle of 80% of the size is guaranteed visible. The mark reaches
 * ~71% of the half-size from the centre, so it is scaled down a little more
 * to keep some air inside that circle.
 */
const MASKABLE_MARK_SCALE = 0.88;

/** The bubble: body, tail pointing down-left, three dots. Centred on the canvas. */
const MARK = `
  <rect x="112" y="120" width="288" height="220" rx="80" fill="${BUBBLE_FILL}"/>
  <path d="M170 312 L140 396 Q190 372 240 336 Z" fill="${BUBBLE_FILL}" stroke="${BUBBLE_FILL}" stroke-width="8" stroke-linejoin="round"/>
  <circle cx="196" cy="230" r="22" fill="${DOT_FILL}"/>
  <circle cx="256" cy="230" r="22" fill="${DOT_FILL}" fill-opacity="0.75"/>
  <circle cx="316" cy="230" r="22" fill="${DOT_FILL}" fill-opacity="0.5"/>`;

type Background = 'tile' | 'full-bleed';

interface IconOptions {
  /** 'tile': rounded square on transparency; 'full-bleed': the whole square painted (maskable, Apple). */
  background: Background;
  markScale?: number;
  /** Pixel size of the rendered SVG; omitted for the favicon (scalable). */
  size?: number;
}

function logoSvg({ background, markScale = 1, size }: IconOptions): string {
  const radius = background === 'tile' ? TILE_RADIUS : 0;
  const dimensions = size === undefined ? '' : ` width="${size}" height="${size}"`;
  // Scale about the centre: translate so the centre stays put.
  const offset = CENTER * (1 - markScale);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CANVAS} ${CANVAS}"${dimensions}>
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="${GRADIENT_FROM}"/>
      <stop offset="1" stop-color="${GRADIENT_TO}"/>
    </linearGradient>
  </defs>
  <rect width="${CANVAS}" height="${CANVAS}" rx="${radius}" fill="url(#bg)"/>
  <g transform="translate(${offset} ${offset}) scale(${markScale})">${MARK}
  </g>
</svg>
`;
}

interface PngTarget {
  file: string;
  size: number;
  options: Omit<IconOptions, 'size'>;
}

const PNG_TARGETS: PngTarget[] = [
  { file: 'icon-192.png', size: 192, options: { background: 'tile' } },
  { file: 'icon-512.png', size: 512, options: { background: 'tile' } },
  { file: 'icon-maskable-512.png', size: 512, options: { background: 'full-bleed', markScale: MASKABLE_MARK_SCALE } },
  // iOS rounds the corners itself and shows transparency as black: full-bleed, opaque.
  { file: 'apple-touch-icon.png', size: 180, options: { background: 'full-bleed' } },
];

async function main(): Promise<void> {
  await mkdir(PUBLIC_DIR, { recursive: true });
  await writeFile(path.join(PUBLIC_DIR, 'favicon.svg'), logoSvg({ background: 'tile' }));
  for (const { file, size, options } of PNG_TARGETS) {
    const svg = Buffer.from(logoSvg({ ...options, size }));
    let image = sharp(svg);
    if (options.background === 'full-bleed') image = image.flatten({ background: GRADIENT_TO });
    await image.png({ compressionLevel: 9 }).toFile(path.join(PUBLIC_DIR, file));
  }
  console.log(`icons written to ${PUBLIC_DIR}`);
}

await main();
