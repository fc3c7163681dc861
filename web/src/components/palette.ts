// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies, each paired with a fill
// pattern and a text label so no meaning rests on hue alone.

export const COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];
export const PATTERNS = [
  'solid',
  'diagonal',
  'dots',
  'horizontal',
  'cross',
  'vertical',
  'back',
  'grid',
] as const;
export type PatternName = (typeof PATTERNS)[number];

export const colourAt = (i: number) => COLOURS[i % COLOURS.length] as string;
export const patternAt = (i: number) => PATTERNS[i % PATTERNS.length] as PatternName;

/** A canvas fill for a chart band: the colour, with the pattern drawn over it in white. */
export function canvasPattern(ctx: CanvasRenderingContext2D, i: number): CanvasPattern | string {
  const colour = colourAt(i);
  const kind = patternAt(i);
  if (kind === 'solid' || typeof document === 'undefined') return colour;
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const t = tile.getContext('2d');
  if (!t) return colour;
  t.fillStyle = colour;
  t.fillRect(0, 0, 8, 8);
  t.strokeStyle = 'rgba(255,255,255,0.85)';
  t.fillStyle = 'rgba(255,255,255,0.85)';
  t.lineWidth = 1.5;
  t.beginPath();
  if (kind === 'diagonal' || kind === 'cross') {
    t.moveTo(0, 8);
    t.lineTo(8, 0);
  }
  if (kind === 'back' || kind === 'cross') {
    t.moveTo(0, 0);
    t.lineTo(8, 8);
  }
  if (kind === 'horizontal' || kind === 'grid') {
    t.moveTo(0, 4);
    t.lineTo(8, 4);
  }
  if (kind === 'vertical' || kind === 'grid') {
    t.moveTo(4, 0);
    t.lineTo(4, 8);
  }
  t.stroke();
  if (kind === 'dots') {
    t.beginPath();
    t.arc(4, 4, 1.6, 0, Math.PI * 2);
    t.fill();
  }
  return ctx.createPattern(tile, 'repeat') ?? colour;
}
