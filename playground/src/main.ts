// The playground page. Training happens in the worker; this thread draws what the worker reports. Each
// panel is a module around the shared state in app.ts: controls, diagram, heat map, charts,
// step-through and the sigmoid/relu comparison.
import { app, connect, current, emit, say, sent, setPlaying, start } from './app.js';
import type { FromWorker } from './protocol.js';
import './controls.js';
import './diagram.js';
import './heatmap.js';
import './charts.js';
import './stepper.js';
import './rawpoint.js';
import './compare.js';
import './tablepanel.js';
import './scores.js';
import './thumbnails.js';
import './lessonnote.js';
import './matrix.js';
import './surface.js';
import './rate.js';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
connect(worker);

/**
 * Snapshots can come faster than a slow device draws them: each is kept (its losses join the curves at once)
 * and the page draws the latest one at a later frame, so a busy main thread skips drawings, never input. While
 * training runs, a drawing waits twice as long as the last one cost (its script, style, layout and paint, read
 * from when the next frame came): drawing then takes at most about a third of the main thread, and on a slow
 * device the frames in between stay free for the pointer and the keyboard.
 */
let drawing = false;
let lastDrawing = -Infinity;
let cost = 0;
const FRAME = 1000 / 60;
function drawSoon(): void {
  if (drawing) return;
  drawing = true;
  requestAnimationFrame(frame);
}
function frame(now: number): void {
  if (app.playing && now < lastDrawing + 2 * cost) {
    requestAnimationFrame(frame);
    return;
  }
  drawing = false;
  const begun = performance.now();
  app.drawings++;
  emit('render');
  const script = performance.now() - begun;
  lastDrawing = begun;
  requestAnimationFrame((next) => {
    cost = Math.max(script, next - begun - FRAME);
  });
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  // Posted before the worker took the page's last reset: it describes a network (and data) the page no longer has.
  if (!current(m)) return;
  if (m.type === 'update') {
    app.snapshot = m;
    // The curves have a point per epoch: a step-through's update, an edit or a pause is not one.
    if (m.reason === 'reset' || m.reason === 'epoch') {
      app.trainCurve.push(m.trainLoss);
      app.testCurve.push(m.testLoss);
    }
    // The worker stopped while the page plays: only where it had taken every message the page sent, the last play
    // included (a report of the reset before it, arriving after the learner pressed play, would stop the page while
    // the worker trains on).
    if (!m.playing && app.playing && app.trace === null && m.taken === sent()) setPlaying(false);
    drawSoon();
  } else if (m.type === 'error') {
    setPlaying(false);
    say(m.message);
  } else emit('worker', m);
};

start();
