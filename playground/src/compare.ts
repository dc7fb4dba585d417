// One click for the seeds' lesson on depth: the same deep network with sigmoid and with relu units, the
// gradient size of each layer side by side. σ′ is at most 0.25, so every sigmoid layer the error term
// passes back through shrinks it; relu′ is 1 where a unit is active.
import { $, app, on, send } from './app.js';
import { gradientBars } from './draw.js';

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
on('reset', () => ($('comparison').hidden = true));
