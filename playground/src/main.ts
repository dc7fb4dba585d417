// The playground page. Training happens in the worker; this thread draws what the worker reports. Each
// panel is a module around the shared state in app.ts: controls, diagram, heat map, charts,
// step-through and the sigmoid/relu comparison.
import { app, connect, emit, say, setPlaying, start } from './app.js';
import type { FromWorker } from './protocol.js';
import './controls.js';
import './diagram.js';
import './heatmap.js';
import './charts.js';
import './stepper.js';
import './compare.js';
import './tablepanel.js';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
connect(worker);

/**
 * Snapshots can come faster than a slow device draws them: each is kept (its losses join the curves at once)
 * and the page draws the latest one at the next frame, so a busy main thread skips drawings, never input.
 */
let drawing = false;
function drawSoon(): void {
  if (drawing) return;
  drawing = true;
  requestAnimationFrame(() => {
    drawing = false;
    emit('render');
  });
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === 'update') {
    app.snapshot = m;
    // The curves have a point per epoch: a step-through's update, an edit or a pause is not one.
    if (m.reason === 'reset' || m.reason === 'epoch') {
      app.trainCurve.push(m.trainLoss);
      app.testCurve.push(m.testLoss);
    }
    if (!m.playing && app.playing && app.trace === null) setPlaying(false);
    drawSoon();
  } else if (m.type === 'error') {
    setPlaying(false);
    say(m.message);
  } else emit('worker', m);
};

start();
