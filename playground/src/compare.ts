// One click for the seeds' lesson on depth: the same deep network with sigmoid and with relu units, the
// gradient size of each layer side by side. σ′ is at most 0.25, so every sigmoid layer the error term
// passes back through shrinks it; relu′ is 1 where a unit is active.
import { Network, traceUpdate } from '../../src/index.js';
import { $, app, fmt, on, send } from './app.js';
import { gradientBars } from './draw.js';
import { concealed } from './exercise.js';
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
 * The vanishing-gradient lesson's numbers, inside the step-through where its δ are read: its chain of units with
 * sigmoid and with relu hidden units, the same weights and point, one trace each; δ of every layer from the output
 * down and how much of the layer above's it keeps. In exercise mode the sigmoid chain's δ (the lesson's own) wait
 * for the learner's answers like every other δ.
 */
function lessonComparison(l: Lesson): void {
  const box = $('chainCompare');
  box.hidden = !(app.trace && app.stage >= 3);
  if (box.hidden) return;
  const traces = (['sigmoid', 'relu'] as const).map((activation) => {
    const net = new Network(networkSpec({ ...app.state, activation, activations: app.state.layers.map(() => activation) }, 'classification'));
    net.setWeights(l.weights);
    return { activation, t: traceUpdate(net, l.x, l.y, { learningRate: l.state.learningRate }) };
  });
  const own = (activation: string): boolean => activation === 'sigmoid' && app.state.activations.every((a) => a === 'sigmoid');
  const columns = traces.map(({ activation, t }) => {
    const rows = [...t.layers].reverse().map((layer, k, down) => {
      const d = layer.delta[0];
      const ratio = k === 0 ? null : Math.abs(d) / Math.abs(down[k - 1].delta[0]);
      const name = layer.role === 'output' ? 'δᵒ' : `layer ${layer.layer + 1}`;
      // A ratio of two δ gives either away once the other is known: it waits for both.
      const hideValue = own(activation) && concealed(`delta:${layer.layer}:0`);
      const hideRatio = hideValue || (own(activation) && k > 0 && concealed(`delta:${down[k - 1].layer}:0`));
      return `<tr data-layer="${layer.layer}"${hideValue ? ' data-concealed="true"' : ` data-delta="${d}"`}${ratio === null || hideRatio ? '' : ` data-ratio="${ratio}"`}><th scope="row">${name}</th>`
        + `<td>${hideValue ? '?' : fmt(d)}</td><td>${ratio === null ? '' : hideRatio ? '?' : `${fmt(100 * ratio)}%`}</td></tr>`;
    });
    return `<div class="column" data-activation="${activation}"><h3>${activation} units</h3><table class="deltas">`
      + `<thead><tr><th></th><th>δ</th><th title="of the layer above's δ">kept</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  });
  // The seed's figures, and this chain's: how much of δᵒ is left one and two sigmoid layers down.
  const sig = [...traces[0].t.layers].reverse().map((layer) => Math.abs(layer.delta[0]));
  const keptOne = sig[1] / sig[0], keptTwo = sig[2] / sig[0];
  const topThree = [...traces[0].t.layers].reverse().slice(0, 3).map((layer) => `delta:${layer.layer}:0`);
  const figures = own('sigmoid') && topThree.some(concealed) ? ''
    : ` In this chain the top hidden layer keeps <span data-kept="1">${fmt(100 * keptOne)}%</span> of δᵒ (${fmt(100 * (1 - keptOne))}% lost), two layers down <span data-kept="2">${fmt(100 * keptTwo)}%</span> is left (${fmt(100 * (1 - keptTwo))}% lost).`;
  box.innerHTML = `<div class="columns">${columns.join('')}</div><p class="figures">σ′(h) = a(1 − a) is at most 0.25, so each sigmoid layer keeps at most 25% of δ: at least 75% is lost in one layer, `
    + `at least 93.75% in two (0.25 × 0.25 = 6.25% kept).${figures} relu′(h) = 1 wherever a unit is active, so a relu chain with these weights keeps all of it.</p>`
    + `<p class="hint">The lesson's chain on its point: x = (${l.x.join(', ')}), y = ${l.y[0]}, every weight ${l.weights[0].weights[0][0]}, `
    + 'no biases, with sigmoid and with relu hidden units side by side; "kept" is the share of the layer above\'s δ, as δ = W·δ(above)·f′(h).</p>';
}

let chainShown = false;
function showChain(): void {
  const l = lesson(app.state.lesson);
  const box = $('chainCompare');
  if (l?.compare) lessonComparison(l);
  else box.hidden = true;
  // Appearing below the screen's foot (a phone, where the diagram comes first): brought up just far enough to read.
  if (!box.hidden && !chainShown && box.getBoundingClientRect().bottom > innerHeight) box.scrollIntoView({ block: 'nearest' });
  chainShown = !box.hidden;
}

on('reset', () => {
  $('comparison').hidden = true;
  showChain();
});
on('stage', showChain);
