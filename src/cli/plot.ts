// SVG plots of a training run: loss and accuracy per epoch, and for two input features the decision
// boundary over the input plane with the data points. Plain SVG, so any browser opens it.
import { markupText } from '../core/escape.js';
import type { EpochLogs } from '../train/callbacks.js';

export interface BoundaryPlot {
  /** Axis names: the two feature columns. */
  xLabel: string;
  yLabel: string;
  /** Grid extent in the features' own units. */
  x0: number; x1: number; y0: number; y1: number;
  /** Grid of cells, row by row from the top (y1) down: the class index and its probability, or a regression value. */
  cells: { cls: number; p: number }[][];
  classes: string[];
  points: { x: number; y: number; cls: number; held: boolean }[];
}

export interface PlotInput {
  title: string;
  epochs: readonly EpochLogs[];
  boundary?: BoundaryPlot;
}

const PANEL = 320, MARGIN = { left: 56, right: 16, top: 36, bottom: 44 };
const TRAIN = '#0877bd', VALIDATION = '#e8710a';
// Ten distinct class colours; two classes get the orange and blue of TensorFlow Playground.
const PALETTE = ['#f59322', '#0877bd', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

// Names from the table (columns, classes, the file) enter the SVG only through markupText.
const esc = markupText;
const fmt = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** About five round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  if (hi <= lo) hi = lo + 1;
  const step0 = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Frame { x: (v: number) => number; y: (v: number) => number; svg: string[] }

function frame(ox: number, title: string, xLabel: string, yLabel: string, xr: [number, number], yr: [number, number]): Frame {
  const w = PANEL - MARGIN.left - MARGIN.right, h = PANEL - MARGIN.top - MARGIN.bottom;
  const x = (v: number): number => ox + MARGIN.left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * w;
  const y = (v: number): number => MARGIN.top + h - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * h;
  const svg: string[] = [`<text x="${ox + MARGIN.left + w / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  for (const t of ticks(xr[0], xr[1])) {
    svg.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + h}" stroke="#eee"/>`,
      `<text x="${x(t)}" y="${MARGIN.top + h + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(yr[0], yr[1])) {
    svg.push(`<line x1="${ox + MARGIN.left}" x2="${ox + MARGIN.left + w}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`,
      `<text x="${ox + MARGIN.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  svg.push(`<rect x="${ox + MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
    `<text x="${ox + MARGIN.left + w / 2}" y="${PANEL - 8}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(${ox + 14} ${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return { x, y, svg };
}

function curves(ox: number, title: string, yLabel: string, epochs: readonly EpochLogs[], train: (e: EpochLogs) => number | undefined,
  validation: (e: EpochLogs) => number | undefined, fixedRange?: [number, number], legendBelow = false): string[] {
  const values = epochs.flatMap((e) => [train(e), validation(e)]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const range: [number, number] = fixedRange ?? [Math.min(0, ...values), Math.max(...values) * 1.05 || 1];
  const f = frame(ox, title, 'epoch', yLabel, [1, Math.max(2, epochs[epochs.length - 1]?.epoch ?? 0)], range);
  const line = (pick: (e: EpochLogs) => number | undefined, colour: string, dash: string): void => {
    const pts = epochs.filter((e) => pick(e) !== undefined).map((e) => `${f.x(e.epoch).toFixed(1)},${f.y(pick(e)!).toFixed(1)}`);
    if (pts.length) f.svg.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
  };
  line(train, TRAIN, '');
  line(validation, VALIDATION, ' stroke-dasharray="6 3"');
  // Loss falls and accuracy rises, so their legends go where the curves usually are not.
  const lx = ox + PANEL - MARGIN.right - 96;
  const ly = legendBelow ? PANEL - MARGIN.bottom - 38 : MARGIN.top + 12;
  f.svg.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${TRAIN}" stroke-width="2"/>`,
    `<text x="${lx + 22}" y="${ly + 4}">train</text>`);
  if (epochs.some((e) => validation(e) !== undefined)) {
    f.svg.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly + 16}" y2="${ly + 16}" stroke="${VALIDATION}" stroke-width="2" stroke-dasharray="6 3"/>`,
      `<text x="${lx + 22}" y="${ly + 20}">validation</text>`);
  }
  return f.svg;
}

function boundaryPanel(ox: number, b: BoundaryPlot): string[] {
  const f = frame(ox, 'decision boundary', b.xLabel, b.yLabel, [b.x0, b.x1], [b.y0, b.y1]);
  const rows = b.cells.length, cols = b.cells[0].length;
  const cw = (f.x(b.x1) - f.x(b.x0)) / cols, ch = (f.y(b.y0) - f.y(b.y1)) / rows;
  const k = Math.max(2, b.classes.length);
  b.cells.forEach((row, i) => row.forEach((c, j) => {
    // Opacity grows from 0 at chance to 0.6 at certainty, so the boundary shows as the pale band.
    const confidence = Math.max(0, (c.p - 1 / k) / (1 - 1 / k));
    f.svg.push(`<rect x="${(f.x(b.x0) + j * cw).toFixed(2)}" y="${(f.y(b.y1) + i * ch).toFixed(2)}" width="${cw.toFixed(2)}" height="${ch.toFixed(2)}" shape-rendering="crispEdges" fill="${PALETTE[c.cls % PALETTE.length]}" fill-opacity="${(0.6 * confidence).toFixed(2)}"/>`);
  }));
  for (const p of b.points) {
    const stroke = p.held ? 'black' : 'white';
    f.svg.push(`<circle cx="${f.x(p.x).toFixed(1)}" cy="${f.y(p.y).toFixed(1)}" r="3" fill="${PALETTE[p.cls % PALETTE.length]}" stroke="${stroke}" stroke-width="${p.held ? 1.2 : 0.8}"/>`);
  }
  b.classes.slice(0, 10).forEach((name, c) => {
    const y = MARGIN.top + 10 + 14 * c;
    f.svg.push(`<circle cx="${ox + MARGIN.left + 10}" cy="${y}" r="4" fill="${PALETTE[c]}"/>`, `<text x="${ox + MARGIN.left + 18}" y="${y + 4}">${esc(name)}</text>`);
  });
  if (b.points.some((p) => p.held)) {
    const y = MARGIN.top + 10 + 14 * Math.min(10, b.classes.length);
    f.svg.push(`<circle cx="${ox + MARGIN.left + 10}" cy="${y}" r="4" fill="white" stroke="black" stroke-width="1.2"/>`,
      `<text x="${ox + MARGIN.left + 18}" y="${y + 4}">validation</text>`);
  }
  return f.svg;
}

export function renderPlot(input: PlotInput): string {
  const panels: string[][] = [curves(0, 'loss', 'loss', input.epochs, (e) => e.loss, (e) => e.valLoss)];
  if (input.epochs.some((e) => e.accuracy !== undefined)) {
    panels.push(curves(PANEL * panels.length, 'accuracy', 'accuracy', input.epochs, (e) => e.accuracy, (e) => e.valAccuracy, [0, 1], true));
  }
  if (input.boundary) panels.push(boundaryPanel(PANEL * panels.length, input.boundary));
  const width = PANEL * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL + 20}" viewBox="0 0 ${width} ${PANEL + 20}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(input.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.flat(),
    `<text x="8" y="${PANEL + 14}" fill="#666">${esc(input.title)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
