// Drawing shared by the panels: the colour scale, heat maps of a unit or the output over the input plane,
// data points, and gradient-size bars.
import { markupText } from '../../src/core/escape.js';
import { GRID } from './protocol.js';

const ORANGE = [245, 147, 34], BLUE = [8, 119, 189];

/** v in [−1, 1] to a colour: orange for negative, white at 0, blue for positive. */
export function colour(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  const c = t < 0 ? ORANGE : BLUE;
  const k = Math.abs(t);
  return [255 + (c[0] - 255) * k, 255 + (c[1] - 255) * k, 255 + (c[2] - 255) * k];
}

/** Maps a unit's output to [−1, 1] for colouring: sigmoid outputs live in (0, 1). */
export function unitMap(activation: string): (v: number) => number {
  return activation === 'sigmoid' ? (v) => 2 * v - 1 : (v) => v;
}

/** Maps the network's output to [−1, 1]: a class probability from (0, 1), a regression value as it is. */
export function outputMap(task: 'classification' | 'regression'): (v: number) => number {
  return task === 'classification' ? (v) => 2 * v - 1 : (v) => v;
}

export const css = ([r, g, b]: [number, number, number]): string => `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;

/** One off-screen canvas per resolution: a heat map is drawn there cell by cell, then scaled onto its canvas. */
const scratches = new Map<number, { context: CanvasRenderingContext2D; image: ImageData; canvas: HTMLCanvasElement }>();
function scratch(size: number): { context: CanvasRenderingContext2D; image: ImageData; canvas: HTMLCanvasElement } {
  let s = scratches.get(size);
  if (!s) {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const context = canvas.getContext('2d')!;
    s = { canvas, context, image: context.createImageData(size, size) };
    scratches.set(size, s);
  }
  return s;
}

/**
 * Draws GRID×GRID values (value k of cell c at values[c * stride + k]) onto the canvas, sampled at
 * `size`×`size` cells (GRID for the large map, fewer for a unit's thumbnail); `strength` below 1 pales the
 * colours, so points drawn on top in full colour stand out.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, values: ArrayLike<number>, stride: number, k: number, map: (v: number) => number,
  strength = 1, size = GRID): void {
  const { context: sc, image, canvas: source } = scratch(size);
  const d = image.data;
  const step = GRID / size;
  for (let r = 0; r < size; r++) {
    const row = Math.floor((r + 0.5) * step);
    for (let c = 0; c < size; c++) {
      const cell = row * GRID + Math.floor((c + 0.5) * step);
      const [red, green, blue] = colour(strength * map(values[cell * stride + k]));
      const p = 4 * (r * size + c);
      d[p] = red;
      d[p + 1] = green;
      d[p + 2] = blue;
      d[p + 3] = 255;
    }
  }
  sc.putImageData(image, 0, 0);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = size < GRID;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
}

export function drawPoints(canvas: HTMLCanvasElement, points: number[][], labels: number[][], toPixel: (x: number, y: number) => [number, number],
  regression: boolean, outlined: boolean, picked: number | null, every = 1): void {
  const g = canvas.getContext('2d')!;
  drawnOrder(points.length, picked, every).forEach((i) => {
    const [x, y] = points[i];
    const [px, py] = toPixel(x, y);
    const v = labels[i][0];
    g.beginPath();
    g.arc(px, py, i === picked ? 6 : every > 1 ? SMALL_DOT : 3.5, 0, 2 * Math.PI);
    g.fillStyle = css(colour(regression ? v : v > 0.5 ? 1 : -1));
    g.fill();
    g.lineWidth = i === picked ? 2.5 : every > 1 ? 0.5 : 1;
    g.strokeStyle = outlined || i === picked ? 'black' : 'white';
    g.stroke();
  });
}

/**
 * Bars on a log scale from 1e-6 to 1, so a gradient 1000× smaller is visibly shorter, not invisible. With `hidden`
 * (exercise mode, where a lesson's one point makes these its own steps over η) the numbers and bars are left out.
 */
export function gradientBars(norms: number[], width = 160, hidden = false): string {
  return norms.map((n, l) => {
    // Hidden, the bar goes too: its length is the number's logarithm.
    const w = hidden ? 0 : Math.max(0, Math.min(1, (Math.log10(Math.max(n, 1e-12)) + 6) / 6)) * width;
    const value = hidden ? '<span data-norm-hidden>(hidden in exercise mode)</span>' : `<span data-norm="${l}">${n.toExponential(1)}</span>`;
    return `<div class="bar" role="listitem"><span>W${l + 1}</span><span class="fill" style="width:${w.toFixed(1)}px"></span>${value}</div>`;
  }).join('');
}

/** A colour per class (up to ten, then they repeat): distinct hues that stay apart for most colour vision. */
export const CLASS_COLOURS: [number, number, number][] = [
  [245, 147, 34], [8, 119, 189], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
export const classColour = (k: number): [number, number, number] => CLASS_COLOURS[k % CLASS_COLOURS.length];

/** The class an output row picks, as backprop decodes it: one sigmoid unit above 0.5 is class 1, else the largest. */
export function pickClass(values: ArrayLike<number>, at: number, k: number): number {
  if (k === 1) return values[at] > 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < k; c++) if (values[at + c] > values[at + best]) best = c;
  return best;
}

/**
 * Regions by class: each cell of the GRID×GRID outputs (k per cell; one sigmoid unit for two classes) in the colour
 * of the class it picks, paler where the network is less sure (the picked class's probability).
 */
export function drawClassMap(canvas: HTMLCanvasElement, values: ArrayLike<number>, k: number, strength = 1, size = GRID): void {
  const { context: sc, image, canvas: source } = scratch(size);
  const d = image.data;
  const step = GRID / size;
  const classes = Math.max(2, k);
  for (let r = 0; r < size; r++) {
    const row = Math.floor((r + 0.5) * step);
    for (let c = 0; c < size; c++) {
      const cell = row * GRID + Math.floor((c + 0.5) * step);
      const best = pickClass(values, cell * k, k);
      const p = k === 1 ? (best ? values[cell] : 1 - values[cell]) : values[cell * k + best];
      // Sure (p = 1) in full colour, a tie among all the classes white.
      const t = strength * Math.max(0, Math.min(1, (p - 1 / classes) / (1 - 1 / classes)));
      const colourOf = classColour(best);
      const q = 4 * (r * size + c);
      for (let ch = 0; ch < 3; ch++) d[q + ch] = 255 + (colourOf[ch] - 255) * t;
      d[q + 3] = 255;
    }
  }
  sc.putImageData(image, 0, 0);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = size < GRID;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
}

/** A table's points in their class's colour (the class a row's target picks). */
export function drawClassPoints(canvas: HTMLCanvasElement, points: number[][], labels: number[][], toPixel: (x: number, y: number) => [number, number],
  outlined: boolean, picked: number | null, every = 1): void {
  const g = canvas.getContext('2d')!;
  drawnOrder(points.length, picked, every).forEach((i) => {
    const [x, y] = points[i];
    const [px, py] = toPixel(x, y);
    g.beginPath();
    g.arc(px, py, i === picked ? 6 : every > 1 ? SMALL_DOT : 3.5, 0, 2 * Math.PI);
    g.fillStyle = css(classColour(pickClass(labels[i], 0, labels[i].length)));
    g.fill();
    g.lineWidth = i === picked ? 2.5 : every > 1 ? 0.5 : 1;
    g.strokeStyle = outlined || i === picked ? 'black' : 'white';
    g.stroke();
  });
}

/**
 * Points a map draws at most: past this many (a table's thousands of rows) dots of 3.5 px would cover the whole map
 * and hide the boundary they are there to show, so every k-th point is drawn (and clicked), and smaller.
 */
export const MAX_DRAWN_POINTS = 1000;
/** A sampled set's dots are smaller too: a dense middle still leaves the map between them. */
const SMALL_DOT = 2.2;

/** Draw every k-th point so that at most MAX_DRAWN_POINTS of n are drawn: 1 for the generated sets. */
export const drawEvery = (n: number): number => Math.max(1, Math.ceil(n / MAX_DRAWN_POINTS));

/** The points drawn, in drawing order: every k-th, and the picked one last, on top of its neighbours. */
function drawnOrder(n: number, picked: number | null, every: number): number[] {
  const order: number[] = [];
  for (let i = 0; i < n; i += every) if (i !== picked) order.push(i);
  if (picked !== null && picked >= 0 && picked < n) order.push(picked);
  return order;
}

/** A loss in three significant digits (a small regression loss is not 0.000); – where there is none. */
export function lossText(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v === 0 ? '0' : v >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}

/** Text from a file (a column's or a class's name) made safe to write into HTML: it reads as itself, never as markup. */
export const escapeHtml = markupText;
