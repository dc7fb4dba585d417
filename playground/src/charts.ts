// The numbers over time: the epoch counter and epochs per second, the two losses, the loss curves with a
// legend and a scale, and the bars of each layer's gradient size.
import { $, app, on } from './app.js';
import { gradientBars, lossText } from './draw.js';
import { anyConcealed } from './exercise.js';

const curve = $<HTMLCanvasElement>('lossCurve');
const TRAIN = '#999', TEST = '#111';
/** Room for the scale's numbers left of the plot and the epoch numbers under it. */
const MARGIN = { left: 40, right: 6, top: 6, bottom: 16 };

const tick = (v: number): string => (v === 0 ? '0' : v >= 100 || v < 0.01 ? v.toExponential(0) : String(Number(v.toPrecision(2))));

function drawCurves(): void {
  const g = curve.getContext('2d')!;
  const { width, height } = curve;
  g.clearRect(0, 0, width, height);
  const train = app.trainCurve, test = app.testCurve;
  const all = [...train, ...test].filter(Number.isFinite);
  // The scale leaves out the first tenth of the run (from 5 epochs on): the first epochs' high loss would
  // flatten the rest; they are clipped at the top, and the scale's text says so.
  const skip = train.length >= 5 ? Math.max(1, Math.floor(train.length / 10)) : 0;
  const scaled = [...train.slice(skip), ...test.slice(skip)].filter(Number.isFinite);
  // A loop, not a spread: a long run has more epochs than a call may have arguments.
  const top = (values: number[]): number => values.reduce((m, v) => Math.max(m, v), -Infinity);
  const max = scaled.length ? top(scaled) * 1.05 || 1 : all.length ? top(all) * 1.05 || 1 : 1;
  const clipped = all.some((v) => v > max);
  const epochs = Math.max(1, train.length - 1);
  const plotW = width - MARGIN.left - MARGIN.right, plotH = height - MARGIN.top - MARGIN.bottom;
  // The scale: the loss from 0 to its largest value so far, the epochs from 0 to now.
  g.strokeStyle = '#ccc';
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(MARGIN.left, MARGIN.top);
  g.lineTo(MARGIN.left, MARGIN.top + plotH);
  g.lineTo(MARGIN.left + plotW, MARGIN.top + plotH);
  g.stroke();
  g.fillStyle = '#555';
  g.font = '10px system-ui, sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  g.fillText(tick(max), MARGIN.left - 4, MARGIN.top + 4);
  g.fillText(tick(max / 2), MARGIN.left - 4, MARGIN.top + plotH / 2);
  g.fillText('0', MARGIN.left - 4, MARGIN.top + plotH);
  g.textBaseline = 'top';
  g.textAlign = 'left';
  g.fillText('0', MARGIN.left, MARGIN.top + plotH + 3);
  g.textAlign = 'right';
  g.fillText(`${epochs} epoch${epochs === 1 ? '' : 's'}`, MARGIN.left + plotW, MARGIN.top + plotH + 3);
  $('lossScale').textContent = `loss 0 to ${tick(max)} over ${epochs} epoch${epochs === 1 ? '' : 's'}${clipped ? ', the first epochs clipped at the top' : ''}`;
  curve.dataset.clipped = String(clipped);
  const line = (values: number[], colour: string): void => {
    if (values.length < 2) return;
    g.beginPath();
    values.forEach((v, i) => {
      const x = MARGIN.left + (i / epochs) * plotW;
      const y = MARGIN.top + plotH - (Math.min(v, max) / max) * plotH;
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    g.strokeStyle = colour;
    g.lineWidth = 1.5;
    g.stroke();
  };
  line(train, TRAIN);
  line(test, TEST);
  curve.dataset.points = String(train.length);
  curve.dataset.max = String(max);
}

function drawGradients(): void {
  const s = app.snapshot;
  if (!s) return;
  $('gradients').innerHTML = gradientBars(s.gradientNorms, 160, anyConcealed());
}

/** Epochs per second over the last second of play. */
const epochTimes: number[] = [];
function showSpeed(): void {
  const now = performance.now();
  if (app.snapshot?.reason === 'epoch' && app.playing) epochTimes.push(now);
  while (epochTimes.length && now - epochTimes[0] > 1000) epochTimes.shift();
  $('speed').textContent = app.playing && epochTimes.length > 1 ? `${epochTimes.length} epochs/s` : '';
}

function render(): void {
  const s = app.snapshot;
  if (!s) return;
  $('epoch').textContent = String(s.epoch);
  showSpeed();
  $('trainLoss').textContent = lossText(s.trainLoss);
  // A lesson's data is its one point: no test rows, no test loss.
  $('testLoss').textContent = lossText(s.testLoss);
  // While training, the curves and bars redraw ten times a second (each redraw walks every epoch so far);
  // a step, a pause or a reset draws at once.
  const now = performance.now();
  if (!(app.playing && s.playing && now - lastChart < 100)) {
    lastChart = now;
    drawCurves();
    drawGradients();
  }
}
let lastChart = 0;

$('lossLegend').innerHTML = `<span><i style="background:${TRAIN}"></i>training</span> <span><i style="background:${TEST}"></i>test</span>`;
on('render', render);
on('stage', drawGradients);
on('reset', () => {
  epochTimes.length = 0;
  $('epoch').textContent = '0';
  $('trainLoss').textContent = $('testLoss').textContent = '–';
  drawCurves();
});
