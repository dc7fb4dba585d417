// Canvas drawing: heat maps of a unit or the output over the input plane, points, and loss curves.
import { GRID } from './protocol.js';

const ORANGE = [245, 147, 34], BLUE = [8, 119, 189];

/** v in [−1, 1] to a colour: orange for negative, white at 0, blue for positive. */
export function colour(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  const c = t < 0 ? ORANGE : BLUE;
  const k = Math.abs(t);
  return [255 + (c[0] - 255) * k, 255 + (c[1] - 255) * k, 255 + (c[2] - 255) * k];
}

const scratch = document.createElement('canvas');
scratch.width = GRID;
scratch.height = GRID;
const scratchContext = scratch.getContext('2d')!;
const image = scratchContext.createImageData(GRID, GRID);

/**
 * Draws GRID×GRID values (value k of cell c at values[c * stride + k]) scaled to the canvas; `strength`
 * below 1 pales the colours, so points drawn on top in full colour stand out.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, values: ArrayLike<number>, stride: number, k: number, map: (v: number) => number, strength = 1): void {
  const d = image.data;
  for (let c = 0; c < GRID * GRID; c++) {
    const [r, g, b] = colour(strength * map(values[c * stride + k]));
    d[4 * c] = r;
    d[4 * c + 1] = g;
    d[4 * c + 2] = b;
    d[4 * c + 3] = 255;
  }
  scratchContext.putImageData(image, 0, 0);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = true;
  context.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

export function drawPoints(canvas: HTMLCanvasElement, points: number[][], labels: number[][], toPixel: (x: number, y: number) => [number, number],
  regression: boolean, outlined: boolean, picked: number | null): void {
  const g = canvas.getContext('2d')!;
  points.forEach(([x, y], i) => {
    const [px, py] = toPixel(x, y);
    const v = labels[i][0];
    const [r, gr, b] = colour(regression ? v : v > 0.5 ? 1 : -1);
    g.beginPath();
    g.arc(px, py, i === picked ? 6 : 3.5, 0, 2 * Math.PI);
    g.fillStyle = `rgb(${r},${gr},${b})`;
    g.fill();
    g.lineWidth = i === picked ? 2.5 : 1;
    g.strokeStyle = outlined || i === picked ? 'black' : 'white';
    g.stroke();
  });
}

export function drawCurves(canvas: HTMLCanvasElement, train: number[], test: number[]): void {
  const g = canvas.getContext('2d')!;
  g.clearRect(0, 0, canvas.width, canvas.height);
  const all = [...train, ...test].filter(Number.isFinite);
  if (all.length < 2) return;
  const max = Math.max(...all) * 1.05 || 1;
  const line = (values: number[], colour: string): void => {
    g.beginPath();
    values.forEach((v, i) => {
      const x = (i / Math.max(1, values.length - 1)) * canvas.width;
      const y = canvas.height - (v / max) * canvas.height;
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    g.strokeStyle = colour;
    g.lineWidth = 1.5;
    g.stroke();
  };
  line(train, '#999');
  line(test, '#111');
}
