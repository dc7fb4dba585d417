// The error surface, as seed 002 pictures gradient descent: E(W) over two chosen weights, every other weight held
// where the network has it now, as a contour map — and across it the path the training takes, live. The map is the
// training loss the page reports, computed with the library in slices between frames; the path is the network's
// own weights at each drawing, so it ends where the network is.
import { Network, type LayerWeights, type Matrix } from '../../src/index.js';
import { $, app, fmt, on } from './app.js';
import { lossText } from './draw.js';
import { inputNames, networkSpec } from './problem.js';

const panel = $<HTMLDetailsElement>('surfaceView');
const canvas = $<HTMLCanvasElement>('surface');
const summary = $('surfaceSummary');
const pickA = $<HTMLSelectElement>('surfaceA');
const pickB = $<HTMLSelectElement>('surfaceB');

/** Cells a side of the map; rows of training data the loss is taken over at most (the page's loss, for the built-in sets). */
const N = 41;
const MAX_ROWS = 1000;
/** Points the path keeps; past this it keeps every other one (and always the latest), so memory stays bounded. */
const MAX_PATH = 2000;
/** Room for the axes' numbers and names around the plot, in canvas pixels. */
const MARGIN = { left: 50, right: 8, top: 8, bottom: 34 };

/** A parameter of the network: a weight (from a row of layer `layer`'s matrix to unit `to`) or a bias. */
interface Param {
  layer: number;
  from: number | 'bias';
  to: number;
  name: string;
}

let params: Param[] = [];
/** The two chosen parameters, as indexes into params. */
let choice: [number, number] = [0, 1];
/** The weights at each drawing since the last reset, every parameter in params' order. */
let path: Float64Array[] = [];
let lastSnapshot: unknown = null;
/** The computed map: its ranges, its losses (row 0 at the bottom), and the weights it was computed around. */
let map: { a: [number, number]; b: [number, number]; loss: Float64Array; around: Float64Array; choice: string; rows: number; epoch: number; atAround: number } | null = null;
let computing = false;
let lastComputed = 0;
/** Whether an update is due when the half second between maps is up. */
let waiting = false;

function listParams(weights: readonly LayerWeights[]): Param[] {
  const names = inputNames(app.state, app.problem);
  const last = weights.length - 1;
  const unit = (l: number, j: number): string => (l === last ? (weights[l].weights[0].length > 1 ? `output ${j + 1}` : 'the output') : `layer ${l + 1} unit ${j + 1}`);
  return weights.flatMap((w, l) => [
    ...w.weights.flatMap((row, i) => row.map((_, j) => ({ layer: l, from: i, to: j, name: `w from ${l === 0 ? names[i] : `layer ${l} unit ${i + 1}`} to ${unit(l, j)}` }))),
    ...(w.bias ?? []).map((_, j) => ({ layer: l, from: 'bias' as const, to: j, name: `bias of ${unit(l, j)}` })),
  ]);
}

const flatten = (weights: readonly LayerWeights[]): Float64Array => Float64Array.from(params.map((p) => (p.from === 'bias' ? weights[p.layer].bias![p.to] : weights[p.layer].weights[p.from][p.to])));

function unflatten(values: Float64Array, like: readonly LayerWeights[]): LayerWeights[] {
  const out = like.map((w) => ({ weights: w.weights.map((row) => [...row]), bias: w.bias ? [...w.bias] : null }));
  params.forEach((p, k) => {
    if (p.from === 'bias') out[p.layer].bias![p.to] = values[k];
    else out[p.layer].weights[p.from][p.to] = values[k];
  });
  return out;
}

/** The options of the two menus: every weight and bias by name (a table's column names go in as text). */
function fillMenus(): void {
  for (const [k, select] of [pickA, pickB].entries()) {
    select.replaceChildren(...params.map((p, i) => new Option(p.name, String(i), false, i === choice[k])));
  }
}

function record(): void {
  const s = app.snapshot;
  if (!s || s === lastSnapshot) return;
  lastSnapshot = s;
  if (params.length === 0) {
    params = listParams(s.weights);
    // The default pair: the first two weights into the first unit (the seed's w₁ and w₂ in the worked example).
    const second = params.findIndex((p, i) => i > 0 && p.layer === 0 && p.to === 0 && p.from !== 'bias');
    choice = [0, second > 0 ? second : Math.min(1, params.length - 1)];
    fillMenus();
  }
  path.push(flatten(s.weights));
  if (path.length > MAX_PATH) path = path.filter((_, i) => i % 2 === 0 || i === path.length - 1);
}

/** The ranges the map spans: the whole path and a margin, grown (never shrunk) while the path stays inside. */
function ranges(): { a: [number, number]; b: [number, number] } {
  /** The path's extent along weight k. */
  const extent = (k: number): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (const p of path) {
      lo = Math.min(lo, p[k]);
      hi = Math.max(hi, p[k]);
    }
    return [lo, hi];
  };
  const padded = ([lo, hi]: [number, number]): [number, number] => {
    const pad = Math.max(0.5, 0.35 * (hi - lo));
    return [lo - pad, hi + pad];
  };
  // The old ranges while they hold the whole path with a little room and are not far wider than needed: the map does
  // not jump each epoch. (Old ranges that let the path's end out kept the map stale for ever: it was made again and
  // again, at rest too, around weights outside it.)
  const keep = (old: [number, number], k: number): [number, number] => {
    const [lo, hi] = extent(k), want = padded([lo, hi]), room = 0.05 * (want[1] - want[0]);
    return old[0] <= lo - room && old[1] >= hi + room && old[1] - old[0] <= 3 * (want[1] - want[0]) ? old : want;
  };
  const key = choice.join(',');
  return map && map.choice === key
    ? { a: keep(map.a, choice[0]), b: keep(map.b, choice[1]) }
    : { a: padded(extent(choice[0])), b: padded(extent(choice[1])) };
}

/** The loss at every cell of the grid, computed a few rows of cells at a time between frames. */
function compute(): void {
  const s = app.snapshot;
  if (computing || !s || params.length < 2 || choice[0] === choice[1]) return;
  computing = true;
  const { a, b } = ranges();
  const around = flatten(s.weights);
  const epoch = s.epoch;
  const net = new Network(networkSpec(app.state, app.problem.task, app.problem));
  const train = app.problem.train;
  const rows = Math.min(MAX_ROWS, train.x.length);
  const x: Matrix = net.inputBatch(train.x.slice(0, rows));
  const y: Matrix = net.targetBatch(train.y.slice(0, rows), rows);
  const loss = new Float64Array(N * N);
  const values = Float64Array.from(around);
  const [ka, kb] = choice;
  const key = choice.join(',');
  const problem = app.problem;
  let r = 0;
  const slice = (): void => {
    // A reset or a new pair in the meantime: this map is of no use.
    if (app.problem !== problem || choice.join(',') !== key || params.length !== around.length) {
      computing = false;
      if (app.problem === problem) setTimeout(update, 0);
      return;
    }
    const started = performance.now();
    while (r < N && performance.now() - started < 8) {
      for (let c = 0; c < N; c++) {
        values[ka] = a[0] + ((a[1] - a[0]) * c) / (N - 1);
        values[kb] = b[0] + ((b[1] - b[0]) * r) / (N - 1);
        net.setWeights(unflatten(values, s.weights));
        loss[r * N + c] = net.pass(x, y, false).loss;
      }
      r++;
    }
    if (r < N) {
      setTimeout(slice, 0);
      return;
    }
    // E at the weights the map is drawn around (the caption's E: the map's own, not the network's of a later epoch).
    net.setWeights(unflatten(around, s.weights));
    map = { a, b, loss, around, choice: key, rows, epoch, atAround: net.pass(x, y, false).loss };
    computing = false;
    lastComputed = performance.now();
    draw();
    // The network moved on while this map was made (it trains, or paused since): make it again, soon.
    if (stale()) setTimeout(update, app.playing ? 500 : 0);
  };
  slice();
}

/** Whether the map is stale: computed around other weights than the network's now, or for another pair. */
function stale(): boolean {
  if (!map || map.choice !== choice.join(',')) return true;
  const now = path[path.length - 1];
  if (!now) return false;
  const [ka, kb] = choice;
  const outside = now[ka] < map.a[0] || now[ka] > map.a[1] || now[kb] < map.b[0] || now[kb] > map.b[1];
  return outside || now.some((v, k) => k !== ka && k !== kb && v !== map!.around[k]);
}

/** A colour for a height on the map: light in the valleys, dark on the heights. */
function shade(t: number): [number, number, number] {
  const lo = [247, 251, 255], hi = [8, 48, 107];
  return [0, 1, 2].map((i) => lo[i] + (hi[i] - lo[i]) * t) as [number, number, number];
}

function draw(): void {
  if (!panel.open) return;
  const g = canvas.getContext('2d')!;
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  const plotW = width - MARGIN.left - MARGIN.right, plotH = height - MARGIN.top - MARGIN.bottom;
  if (params.length < 2) {
    summary.textContent = 'This network has fewer than two weights: there is no surface to draw.';
    return;
  }
  if (choice[0] === choice[1]) {
    summary.textContent = 'Choose two different weights.';
    return;
  }
  if (!map) {
    summary.textContent = 'Computing the surface…';
    return;
  }
  const { a, b, loss } = map;
  const toX = (v: number): number => MARGIN.left + ((v - a[0]) / (a[1] - a[0])) * plotW;
  const toY = (v: number): number => MARGIN.top + plotH - ((v - b[0]) / (b[1] - b[0])) * plotH;
  // Heights on a log scale, so the valley floor and the slopes both show.
  const logs = Array.from(loss, (v) => Math.log(Math.max(v, 1e-12)));
  // The scale holds the E the caption states too (between the grid's points it can lie below every cell).
  const atAround = Math.log(Math.max(map.atAround, 1e-12));
  const min = Math.min(atAround, ...logs), max = Math.max(atAround, ...logs);
  const t = (v: number): number => (max > min ? (v - min) / (max - min) : 0);
  const cw = plotW / (N - 1), ch = plotH / (N - 1);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      const [red, green, blue] = shade(t(logs[r * N + c]));
      g.fillStyle = `rgb(${red | 0},${green | 0},${blue | 0})`;
      g.fillRect(MARGIN.left + (c - 0.5) * cw, MARGIN.top + plotH - (r + 0.5) * ch, cw + 0.5, ch + 0.5);
    }
  }
  g.clearRect(0, 0, width, MARGIN.top);
  g.clearRect(0, MARGIN.top + plotH, width, MARGIN.bottom);
  g.clearRect(0, 0, MARGIN.left, height);
  g.clearRect(MARGIN.left + plotW, 0, MARGIN.right, height);
  contours(g, logs, min, max, MARGIN.left, MARGIN.top, plotW, plotH);
  // The axes: each weight's range, its name below and beside.
  g.fillStyle = '#444';
  g.font = '10px system-ui, sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'top';
  [a[0], (a[0] + a[1]) / 2, a[1]].forEach((v, k) => {
    g.textAlign = k === 0 ? 'left' : k === 2 ? 'right' : 'center';
    g.fillText(fmtTick(v), toX(v), MARGIN.top + plotH + 3);
  });
  g.textAlign = 'center';
  g.fillText('weight A →', MARGIN.left + plotW / 2, MARGIN.top + plotH + 18);
  g.textAlign = 'right';
  [b[0], (b[0] + b[1]) / 2, b[1]].forEach((v, k) => {
    g.textBaseline = k === 0 ? 'bottom' : k === 2 ? 'top' : 'middle';
    g.fillText(fmtTick(v), MARGIN.left - 3, toY(v));
  });
  g.save();
  g.translate(10, MARGIN.top + plotH / 2);
  g.rotate(-Math.PI / 2);
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText('weight B →', 0, 0);
  g.restore();
  // The path: where training has taken the two weights, drawing by drawing; a ring where it is now.
  const [ka, kb] = choice;
  g.strokeStyle = '#f59322';
  g.lineWidth = 2;
  g.beginPath();
  path.forEach((p, i) => (i === 0 ? g.moveTo(toX(p[ka]), toY(p[kb])) : g.lineTo(toX(p[ka]), toY(p[kb]))));
  g.stroke();
  const start = path[0], end = path[path.length - 1];
  g.fillStyle = 'white';
  g.beginPath();
  g.arc(toX(start[ka]), toY(start[kb]), 3.5, 0, 2 * Math.PI);
  g.fill();
  g.stroke();
  g.fillStyle = '#f59322';
  g.strokeStyle = 'black';
  g.lineWidth = 1.5;
  g.beginPath();
  g.arc(toX(end[ka]), toY(end[kb]), 5, 0, 2 * Math.PI);
  g.fill();
  g.stroke();
  canvas.dataset.end = `${end[ka]},${end[kb]}`;
  canvas.dataset.start = `${start[ka]},${start[kb]}`;
  canvas.dataset.points = String(path.length);
  canvas.dataset.range = [...a, ...b].join(',');
  canvas.dataset.corner = `${a[0]},${b[0]},${loss[0]}`;
  canvas.dataset.fresh = String(!stale());
  // The scale's ends in E itself (exp(log E) can differ from E in the last bit, and the caption's E is one of them).
  const floored = Array.from(loss, (v) => Math.max(v, 1e-12));
  const [lo, hi] = [Math.min(Math.max(map.atAround, 1e-12), ...floored), Math.max(Math.max(map.atAround, 1e-12), ...floored)];
  Object.assign(canvas.dataset, { low: String(lo), high: String(hi), mapLoss: String(map.atAround), mapEpoch: String(map.epoch) });
  const rows = app.problem.train.x.length;
  const s = app.snapshot;
  summary.textContent = `E over weight A, ${params[ka].name} (${fmtTick(a[0])} to ${fmtTick(a[1])}, across), and weight B, ${params[kb].name} `
    + `(${fmtTick(b[0])} to ${fmtTick(b[1])}, up), every other weight held where it was then (see below): from ${fmt(lo)} (light) to ${fmt(hi)} (dark). `
    + `The path: ${path.length} point${path.length === 1 ? '' : 's'}, from the white dot (${fmt(start[ka])}, ${fmt(start[kb])}) to the orange one, the network now `
    + `(${fmt(end[ka])}, ${fmt(end[kb])}). `
    + `The map is drawn around the weights of epoch ${map.epoch}: there E = ${lossText(map.atAround)}`
    + (s && stale() ? `; the network has moved on since (epoch ${s.epoch}, E = ${lossText(s.trainLoss)}), and the map follows it, at most twice a second while training. ` : '. ')
    + (map.rows < rows ? `The loss is taken over ${map.rows.toLocaleString('en')} of the ${rows.toLocaleString('en')} training rows. ` : '')
    + 'As the other weights train, the surface itself changes: the map follows them.';
  canvas.setAttribute('aria-label', `Error surface over two weights, with the path training took: ${summary.textContent}`);
}

const fmtTick = (v: number): string => String(Number(v.toPrecision(2)));

/** Contour lines at eight heights, by marching squares over the grid (log heights). */
function contours(g: CanvasRenderingContext2D, logs: number[], min: number, max: number, left: number, top: number, w: number, h: number): void {
  if (!(max > min)) return;
  const at = (c: number, r: number): [number, number] => [left + (c / (N - 1)) * w, top + h - (r / (N - 1)) * h];
  g.strokeStyle = 'rgba(255, 255, 255, 0.55)';
  g.lineWidth = 1;
  g.beginPath();
  for (let k = 1; k <= 8; k++) {
    const level = min + ((max - min) * k) / 9;
    for (let r = 0; r < N - 1; r++) {
      for (let c = 0; c < N - 1; c++) {
        const v = [logs[r * N + c], logs[r * N + c + 1], logs[(r + 1) * N + c + 1], logs[(r + 1) * N + c]];
        const corners: [number, number][] = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1]];
        const crossings: [number, number][] = [];
        for (let e = 0; e < 4; e++) {
          const p = v[e], q = v[(e + 1) % 4];
          if ((p < level) !== (q < level)) {
            const f = (level - p) / (q - p);
            const [c1, r1] = corners[e], [c2, r2] = corners[(e + 1) % 4];
            crossings.push(at(c1 + (c2 - c1) * f, r1 + (r2 - r1) * f));
          }
        }
        for (let i = 0; i + 1 < crossings.length; i += 2) {
          g.moveTo(...crossings[i]);
          g.lineTo(...crossings[i + 1]);
        }
      }
    }
  }
  g.stroke();
}

function update(): void {
  record();
  if (!panel.open) return;
  draw();
  if (!stale() || computing) return;
  // While training, the map is computed again at most twice a second; at rest, at once. A stale map held back by
  // that limit is computed when the half second is up: training may pause before another snapshot comes.
  const wait = app.playing ? 500 - (performance.now() - lastComputed) : 0;
  if (wait <= 0) compute();
  else if (!waiting) {
    waiting = true;
    setTimeout(() => {
      waiting = false;
      update();
    }, wait);
  }
}

function choose(): void {
  choice = [Number(pickA.value), Number(pickB.value)];
  map = null;
  canvas.dataset.fresh = 'false';
  update();
}

pickA.addEventListener('change', choose);
pickB.addEventListener('change', choose);
panel.addEventListener('toggle', update);
on('render', update);
on('reset', () => {
  path = [];
  params = [];
  map = null;
  lastSnapshot = null;
  summary.textContent = '';
  canvas.dataset.fresh = 'false';
});
