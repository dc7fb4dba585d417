// The data sets as pictures, as TensorFlow Playground shows them: each a small plot of its points in their class's
// colour (a regression's by value, digits as four of its images), each a radio of the one "dataset" group, so a
// click, the arrow keys and a screen reader all choose the same way. The two tables' pictures come when the page is idle.
import { generate, type SyntheticName } from '../../src/index.js';
import { $, app, on, update, useExample } from './app.js';
import { classColour, colour, css, escapeHtml, pickClass } from './draw.js';
import { lesson } from './lessons.js';
import { EXTENT } from './problem.js';
import { DATASETS, type DatasetName } from './state.js';
import { tableOf } from './tables.js';

/** Each set's name on its picture, a short note under it, and the longer name a screen reader gives it. */
const NAMES: Record<DatasetName, { note?: string; label?: string }> = {
  circle: {}, xor: {}, gauss: {}, spiral: {},
  plane: { note: 'regression', label: 'plane (regression)' },
  multigauss: { note: 'regression', label: 'multigauss (regression)' },
  iris: { note: '3 classes', label: 'iris (3 classes, 4 features)' },
  digits: { note: '10 classes', label: 'digits (10 classes, 64 pixels; 300 rows)' },
  upload: {},
};

/** A picture's side in CSS pixels; drawn at the screen's resolution. */
const SIDE = 48;
const fieldset = $('datasets');

function canvasFor(set: DatasetName): HTMLCanvasElement | null {
  return fieldset.querySelector<HTMLCanvasElement>(`input[value="${set}"] ~ canvas`);
}

/** A canvas's 2D context in CSS pixels, cleared to white. */
function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  canvas.width = canvas.height = SIDE * ratio;
  const g = canvas.getContext('2d')!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.fillStyle = 'white';
  g.fillRect(0, 0, SIDE, SIDE);
  return g;
}

/** Points of the plane [−extent, extent]², each in its colour. */
function plot(canvas: HTMLCanvasElement, points: number[][], colours: string[], extent: number): void {
  const g = context(canvas);
  const at = (v: number): number => ((v + extent) / (2 * extent)) * SIDE;
  points.forEach(([x, y], i) => {
    g.beginPath();
    g.arc(at(x), SIDE - at(y), 1.5, 0, 2 * Math.PI);
    g.fillStyle = colours[i];
    g.fill();
  });
}

/** A generated set: the page's own points, fewer of them and without noise. */
function drawGenerated(set: SyntheticName, canvas: HTMLCanvasElement): void {
  const regression = set === 'plane' || set === 'multigauss';
  const data = generate(set, { samples: regression ? 300 : 160, noise: 0, seed: 3 });
  plot(canvas, data.x, data.y.map(([v]) => css(colour(regression ? v : v > 0.5 ? 1 : -1))), EXTENT);
}

/** The learner's file as the page has it now: its points on the map's plane (up to 600), in their class's colour or by value. */
function drawUpload(canvas: HTMLCanvasElement): void {
  const p = app.problem;
  if (app.state.dataset !== 'upload' || !p.table) return;
  const every = Math.max(1, Math.ceil(p.train.points.length / 600));
  const points = p.train.points.filter((_, i) => i % every === 0), y = p.train.y.filter((_, i) => i % every === 0);
  plot(canvas, points, y.map((v) => css(p.table!.classes ? classColour(pickClass(v, 0, v.length)) : colour(v[0]))), p.extent);
}

/** The built-in tables' text, loaded when the page is idle (the chunks a click on them would load anyway). */
let tables: { iris: string[][]; digits: string[][] } | null = null;
const rows = (text: string): string[][] => text.trim().split(/\r?\n/).slice(1).map((line) => line.split(','));

/** Iris: petal length across, petal width up, by species. Digits: four of its 8×8 images, ink dark. */
function drawTable(set: 'iris' | 'digits', canvas: HTMLCanvasElement): void {
  if (!tables) return;
  if (set === 'iris') {
    const species = [...new Set(tables.iris.map((r) => r[4]))];
    // Petal length 1–7 cm, width 0–2.5 cm, centred on the picture.
    plot(canvas, tables.iris.map((r) => [(Number(r[2]) - 4) * 1.6, (Number(r[3]) - 1.25) * 4.4]), tables.iris.map((r) => css(classColour(species.indexOf(r[4])))), EXTENT);
    return;
  }
  const g = context(canvas);
  const cell = SIDE / 16;
  tables.digits.slice(0, 4).forEach((r, k) => {
    for (let p = 0; p < 64; p++) {
      const ink = Number(r[p]) / 16;
      if (ink === 0) continue;
      g.fillStyle = `rgba(24, 61, 78, ${ink.toFixed(3)})`;
      g.fillRect((k % 2) * 8 * cell + (p % 8) * cell, Math.floor(k / 2) * 8 * cell + Math.floor(p / 8) * cell, cell, cell);
    }
  });
}

function draw(set: DatasetName): void {
  const canvas = canvasFor(set);
  if (!canvas) return;
  if (set === 'upload') drawUpload(canvas);
  else if (set === 'iris' || set === 'digits') drawTable(set, canvas);
  else drawGenerated(set, canvas);
}

/** What the list was built for: the sets, and the learner's file by its id. */
let built = '';

/** A lesson's data, listed first and chosen while it is on: its one point, drawn at its own inputs. */
function lessonThumb(): string {
  const l = lesson(app.state.lesson);
  if (!l) return '';
  const point = `x = (${l.x.join(', ')}), y = ${l.y.join(', ')}`;
  return `<label class="thumb" title="the lesson's point: ${point}"><input type="radio" name="dataset" value="lesson" aria-label="the lesson's point: ${point}">`
    + `<canvas aria-hidden="true"></canvas><span class="name">lesson</span><span class="note">its point</span></label>`;
}

function render(): void {
  const upload = tableOf('upload');
  const sets: DatasetName[] = [...DATASETS, 'iris', 'digits', ...(upload ? ['upload' as const] : [])];
  const key = `${sets.join()}|${upload?.source.id ?? ''}|${app.state.lesson ?? ''}`;
  if (key !== built) {
    built = key;
    const focused = fieldset.contains(document.activeElement);
    fieldset.innerHTML = '<legend><span class="step" aria-hidden="true">1</span> Data set</legend><div class="thumbs">' + lessonThumb() + sets.map((d) => {
      const { note, label } = d === 'upload' ? { note: upload!.source.name, label: `your file: ${upload!.source.name}` } : NAMES[d];
      const name = d === 'upload' ? 'your file' : d;
      return `<label class="thumb" title="${escapeHtml(label ?? name)}"><input type="radio" name="dataset" value="${d}"${label ? ` aria-label="${escapeHtml(label)}"` : ''}>`
        + `<canvas aria-hidden="true"></canvas><span class="name">${name}</span>${note ? `<span class="note">${escapeHtml(note)}</span>` : ''}</label>`;
    }).join('') + '</div>';
    for (const d of sets) draw(d);
    const l = lesson(app.state.lesson);
    const lessonCanvas = fieldset.querySelector<HTMLCanvasElement>('input[value="lesson"] ~ canvas');
    if (l && lessonCanvas) {
      // One point, drawn as the map draws it: large, outlined, where its first two inputs put it.
      const g = context(lessonCanvas), e = app.problem.extent;
      g.beginPath();
      g.arc(((l.x[0] + e) / (2 * e)) * SIDE, SIDE - (((l.x[1] ?? 0) + e) / (2 * e)) * SIDE, 4, 0, 2 * Math.PI);
      g.fillStyle = css(colour(l.y[0] > 0.5 ? 1 : -1));
      g.fill();
      g.strokeStyle = 'black';
      g.stroke();
    }
    if (focused) fieldset.querySelector<HTMLInputElement>(`input[value="${l ? 'lesson' : app.state.dataset}"]`)?.focus();
  }
  // In a lesson its point is the data set; the set the page had before stays unchosen (choosing one leaves the lesson).
  const chosen = app.state.lesson ? 'lesson' : app.state.dataset;
  for (const input of fieldset.querySelectorAll<HTMLInputElement>('input[name="dataset"]')) input.checked = input.value === chosen;
  // A new plane for the learner's file (another pair of inputs) redraws its picture.
  if (app.state.dataset === 'upload') draw('upload');
}

fieldset.addEventListener('change', (e) => {
  const d = (e.target as HTMLInputElement).value as DatasetName;
  if ((d as string) === 'lesson') return;
  if (d === 'iris' || d === 'digits') void useExample(d);
  else update({ dataset: d });
});

on('reset', render);
on('controls', render);

// The tables' pictures once the page has drawn and is idle.
const idle = (f: () => void): void => void ('requestIdleCallback' in window ? requestIdleCallback(f) : setTimeout(f, 1000));
idle(() => {
  void Promise.all([import('../../data/iris.csv?raw'), import('./examples/digits-300.csv?raw')]).then(([iris, digits]) => {
    tables = { iris: rows(iris.default), digits: rows(digits.default) };
    draw('iris');
    draw('digits');
  });
});
