// One click for the seeds' lesson on depth: the same deep network with sigmoid and with relu units, the
// gradient size of each layer side by side. σ′ is at most 0.25, so every sigmoid layer the error term
// passes back through shrinks it; relu′ is 1 where a unit is active.
import { Network, traceUpdate } from '../../src/index.js';
import { $, app, fmt, on, send } from './app.js';
import { gradientBars } from './draw.js';
import { lesson, type Lesson } from './lessons.js';
import { networkSpec } from './problem.js';

/** Five hidden layers of eight units: deep enough for the effect to be plain, small enough to be instant. */
const DEEP = [8, 8, 8, 8, 8];

$('compare').addEventListener('click', () => {
  $('comparison').hidden = false;
  $('comparisonBody').textContent = 'Computing…';
  send({ type: 'compare', layers: DEEP, activations: ['sigmoid', 'relu'] });
});
$('closeComparison').addEventListener('click', () => ($('comparison').hidden = true));

on('worker', (m) => {
  if (m.type !== 'compare') return;
  const columns = m.results.map(({ activation, norms }) => {
    const ratio = norms[0] / norms[norms.length - 1];
    return `<div class="column" data-activation="${activation}"><h3>${activation}</h3><div role="list">${gradientBars(norms, 120)}</div>`
      + `<p>first layer / last layer: <output data-ratio="${ratio}">${ratio.toExponential(1)}</output></p></div>`;
  });
  $('comparisonBody').innerHTML = `<p class="hint">The same ${m.layers.length}×${m.layers[0]} network on this data (${app.state.dataset}), fresh weights, `
    + 'one backward pass: ‖∂E/∂W‖ of each weight layer, input side first.</p>'
    + `<div class="columns">${columns.join('')}</div>`;
});
/**
 * The vanishing-gradient lesson's numbers: its chain of units with sigmoid and with relu hidden units, the same
 * weights and point, one trace each; δ of every layer from the output down and how much of the layer above's it keeps.
 */
function lessonComparison(l: Lesson): void {
  const columns = (['sigmoid', 'relu'] as const).map((activation) => {
    const net = new Network(networkSpec({ ...app.state, activation, activations: app.state.layers.map(() => activation) }, 'classification'));
    net.setWeights(l.weights);
    const t = traceUpdate(net, l.x, l.y, { learningRate: l.state.learningRate });
    const rows = [...t.layers].reverse().map((layer, k, down) => {
      const d = layer.delta[0];
      const ratio = k === 0 ? null : Math.abs(d) / Math.abs(down[k - 1].delta[0]);
      const name = layer.role === 'output' ? 'output δᵒ' : `layer ${layer.layer + 1} δʰ`;
      return `<tr data-layer="${layer.layer}" data-delta="${d}"${ratio === null ? '' : ` data-ratio="${ratio}"`}><th scope="row">${name}</th><td>${fmt(d)}</td>`
        + `<td>${ratio === null ? '' : `${fmt(100 * ratio)}%`}</td></tr>`;
    });
    return `<div class="column" data-activation="${activation}"><h3>${activation} hidden units</h3><table class="deltas">`
      + `<thead><tr><th></th><th>δ</th><th>of the layer above's</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  });
  $('comparisonBody').innerHTML = `<p class="hint">The lesson's chain on its point: x = (${l.x.join(', ')}), y = ${l.y[0]}, every weight ${l.weights[0].weights[0][0]}, `
    + 'no biases. Each layer\'s δ = W·δ(above)·f′(h): with sigmoid f′ ≤ 0.25, so each layer keeps at most a quarter; relu keeps all of it.</p>'
    + `<div class="columns">${columns.join('')}</div>`;
  $('comparison').hidden = false;
}

on('reset', () => {
  const l = lesson(app.state.lesson);
  if (l?.compare) lessonComparison(l);
  else $('comparison').hidden = true;
});
