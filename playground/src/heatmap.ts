// The output panel's heat map: the network's output over the input plane (or, while the pointer is on a
// unit of the diagram, that unit's output), with axes, a colour legend, the data points, and a click on
// a training point to step through its update.
import { $, app, on, pickPoint, turnOf } from './app.js';
import { classColour, colour, css, drawClassMap, drawClassPoints, drawEvery, drawHeatmap, drawPoints, escapeHtml, outputMap, unitMap } from './draw.js';
import { layerActivation } from './problem.js';
import { targetUnits, unitsText } from './units.js';

const heatmap = $<HTMLCanvasElement>('heatmap');

/** Writes an element's markup or text only when it changes: rewriting it each frame made new nodes to style and lay out. */
const written = new WeakMap<Element, string>();
function write(id: string, value: string, as: 'html' | 'text' = 'text'): void {
  const el = $(id), key = `${as}:${value}`;
  if (written.get(el) === key) return;
  written.set(el, key);
  if (as === 'html') el.innerHTML = value;
  else el.textContent = value;
}
const extent = (): number => app.problem.extent;
const toPixel = (x: number, y: number): [number, number] =>
  [((x + extent()) / (2 * extent())) * heatmap.width, ((extent() - y) / (2 * extent())) * heatmap.height];

/** Axis ticks in the data's units: the generated sets' plane is [−6, 6]², a table's spans its points. */
function drawAxes(): void {
  const e = extent();
  const ticks = [-e, -e / 2, 0, e / 2, e];
  const at = (v: number): string => `${(((v + e) / (2 * e)) * 100).toFixed(2)}%`;
  $('axisX').innerHTML = ticks.map((t) => `<span style="left:${at(t)}">${Number(t.toPrecision(3))}</span>`).join('');
  $('axisY').innerHTML = ticks.map((t) => `<span style="top:${at(-t)}">${Number(t.toPrecision(3))}</span>`).join('');
  const table = app.problem.table;
  $('planeNote').hidden = !table;
  const n = app.problem.train.points.length, every = drawEvery(n);
  const drawn = every > 1 ? ` ${Math.ceil(n / every).toLocaleString('en')} of the ${n.toLocaleString('en')} training points are drawn (one in ${every}), so the map shows between them; a click picks one of those.` : '';
  $('planeNote').textContent = table ? `${table.name}: across ${table.xLabel}, up ${table.yLabel}. ${table.note}${drawn}` : '';
}

/** What the large map shows now: its values, how they map to colours, and the legend's ends. */
function shown(): { values: ArrayLike<number>; stride: number; k: number; map: (v: number) => number; name: string; range: [string, string, string] } | null {
  const s = app.snapshot;
  if (!s) return null;
  const last = app.state.layers.length + 1;
  if (app.hovered && app.hovered[0] > 0 && app.hovered[0] < last) {
    const [c, i] = app.hovered;
    const activation = layerActivation(app.state, c - 1);
    const range: [string, string, string] = activation === 'sigmoid' ? ['0', '0.5', '1'] : ['−1', '0', '1'];
    return { values: s.hidden[c - 1], stride: app.state.layers[c - 1], k: i, map: unitMap(activation), name: `layer ${c}, unit ${i + 1}`, range };
  }
  const classification = app.problem.task === 'classification';
  const base = outputMap(app.problem.task);
  const map = app.state.discretize ? (v: number) => (base(v) >= 0 ? 1 : -1) : base;
  // A regression's scale in the target's own units: the colours run from −1 to 1 of the network's (standardized) output.
  const units = targetUnits(app.problem);
  const range = classification ? ['0', '0.5', '1'] : [-1, 0, 1].map((v) => unitsText(units.value(v)));
  return { values: s.output, stride: 1, k: 0, map, name: 'output', range: range as [string, string, string] };
}

/** A classified table's map: a colour per class, with a legend naming them. */
function drawClasses(): boolean {
  const s = app.snapshot, classes = app.problem.table?.classes;
  if (!s || !classes || (app.hovered && app.hovered[0] > 0 && app.hovered[0] < app.state.layers.length + 1)) return false;
  drawClassMap(heatmap, s.output, app.problem.outputs, 0.6);
  heatmap.dataset.showing = 'classes';
  write('heatmapCaption', 'Output: each region in the colour of the class the network picks there (paler where it is less sure)');
  write('legend', classes.map((c, k) => `<span class="class" data-class="${k}"><i style="background:${css(classColour(k))}"></i>${escapeHtml(c)}</span>`).join(' '), 'html');
  drawClassPoints(heatmap, app.problem.train.points, app.problem.train.y, toPixel, false, app.tracedIndex, drawEvery(app.problem.train.points.length));
  if (app.state.showTestData) drawClassPoints(heatmap, app.problem.test.points, app.problem.test.y, toPixel, true, null, drawEvery(app.problem.test.points.length));
  return true;
}


function draw(): void {
  if (drawClasses()) return;
  const view = shown();
  if (view) {
    // The output is pale under the points; a hovered unit is shown at full strength, as in its thumbnail.
    drawHeatmap(heatmap, view.values, view.stride, view.k, view.map, view.name === 'output' ? 0.6 : 1);
    heatmap.dataset.showing = view.name;
    const regression = app.problem.task === 'regression';
    write('heatmapCaption', view.name !== 'output' ? `${view.name} (the unit ${matchMedia('(hover: none)').matches ? 'tapped' : 'under the pointer'})`
      : regression ? `Output: the predicted ${targetUnits(app.problem).name}, in its units${app.state.discretize ? ', discretized: its side of the middle value' : ''}`
      : app.state.discretize ? 'Output, discretized: the class each point would get' : 'Output');
    const [lo, mid, hi] = view.range;
    write('legend', `<span class="bar" style="background:linear-gradient(to right, ${css(colour(-1))}, ${css(colour(0))}, ${css(colour(1))})"></span>`
      + `<span class="lo">${lo}</span><span class="mid">${mid}</span><span class="hi">${hi}</span>`, 'html');
  }
  const regression = app.problem.task === 'regression';
  drawPoints(heatmap, app.problem.train.points, app.problem.train.y, toPixel, regression, false, app.tracedIndex, drawEvery(app.problem.train.points.length));
  if (app.state.showTestData) drawPoints(heatmap, app.problem.test.points, app.problem.test.y, toPixel, regression, true, null, drawEvery(app.problem.test.points.length));
}

heatmap.addEventListener('click', (e) => {
  const box = heatmap.getBoundingClientRect();
  const px = ((e.clientX - box.left) / box.width) * heatmap.width, py = ((e.clientY - box.top) / box.height) * heatmap.height;
  let best = -1, bestDistance = 12 * 12;
  // The points drawn are the points a click can pick.
  const every = drawEvery(app.problem.train.points.length);
  app.problem.train.points.forEach(([x, y], i) => {
    if (i % every !== 0) return;
    const [qx, qy] = toPixel(x, y);
    const d = (qx - px) ** 2 + (qy - py) ** 2;
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  if (best >= 0) {
    $<HTMLInputElement>('pointIndex').value = String(best);
    pickPoint(best);
  }
});

drawAxes();
on('reset', drawAxes);
on('plane', () => {
  drawAxes();
  draw();
});
on('render', () => {
  if (turnOf('output')) draw();
});
on('hover', draw);
on('stage', draw);
on('reset', draw);
