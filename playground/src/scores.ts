// A regression's scores and units: R² and the mean absolute error on the training rows, the test rows and all rows
// (as the library's evaluate gives them, in the target's own units), and the target's values at the colour scale's ends.
import { $, app, on } from './app.js';
import { escapeHtml } from './draw.js';
import type { RegressionScore } from './protocol.js';
import { unitsText } from './units.js';

function render(): void {
  const fit = app.snapshot?.regression;
  const box = $('regressionScores');
  box.hidden = !fit;
  if (!fit) return;
  const r2 = (s: RegressionScore | null): string => (s === null ? '–' : s.r2 === null ? 'undefined (constant target)' : s.r2.toFixed(3));
  const cell = (id: string, value: number | null | undefined, text: string): string => `<output id="${id}" data-value="${value ?? NaN}">${text}</output>`;
  const html = `<p>R²: training ${cell('trainR2', fit.train.r2, r2(fit.train))} · test ${cell('testR2', fit.test?.r2, r2(fit.test))}`
    + ` · all rows ${cell('allR2', fit.all.r2, r2(fit.all))}</p>`
    + `<p>Mean absolute error, in ${escapeHtml(fit.target)}'s units: training ${cell('trainMae', fit.train.mae, unitsText(fit.train.mae))}`
    + ` · test ${cell('testMae', fit.test?.mae, fit.test ? unitsText(fit.test.mae) : '–')} · all rows ${cell('allMae', fit.all.mae, unitsText(fit.all.mae))}</p>`;
  // Written only when it changes: each frame of training brings a snapshot.
  if (written !== html) {
    written = html;
    box.innerHTML = html;
  }
}
let written = '';

on('render', render);
on('reset', render);
