// The learner's own point in a table's own units: a field per column of the file (a number as the file writes it,
// 1,217 too; a category from the model's list; a date), encoded as training encodes rows (the library's
// encodeRecord) into the network's inputs of the own-point form, where the learner sees what standardizing and
// one-hot encoding made of it. Typed straight into those inputs, the file's 20,427 was a value 2,000 standard
// deviations out, and one update on it wrecked the trained network.
import { encodeRecord, type Preprocessing } from '../../src/index.js';
import { numberOfText } from '../../src/data/missing.js';
import { $, app, on, say } from './app.js';
import { escapeHtml } from './draw.js';
import { cliMessage } from './tables.js';

/** The fields of the file's columns (and a regression's target), for a table; nothing for a generated set. */
function build(): void {
  const table = app.problem.table;
  $('customRaw').hidden = !table;
  if (!table) {
    $('customRawFields').replaceChildren();
    return;
  }
  const fields = table.prep.features.map((f, i) => (f.type === 'categorical'
    ? `<label>${escapeHtml(f.name)} <select data-raw="${i}">${f.categories.map((c) => `<option>${escapeHtml(c)}</option>`).join('')}${f.missing ? '<option value="">(missing)</option>' : ''}</select></label>`
    : `<label>${escapeHtml(f.name)} <input type="text" size="8" data-raw="${i}"${f.type === 'date' ? ' placeholder="2024-03-15"' : ''}></label>`));
  const target = table.prep.target!;
  if (target.task === 'regression') fields.push(`<label>${escapeHtml(target.name)} <input type="text" inputmode="decimal" size="8" data-raw-target></label>`);
  $('customRawFields').innerHTML = fields.join(' ');
}

/** A regression target in the file's units (read as the file's numbers are: 1,217, or 9,3 in a file of decimal commas) as the network's (standardized) target. */
function scaledTarget(prep: Preprocessing, value: string): number {
  const target = prep.target!;
  const v = numberOfText(value.trim(), prep.decimalComma ? 'decimal' : 'thousands');
  const scale = target.task === 'regression' ? target.scale : undefined;
  return scale ? (v - scale.mean) / scale.std : v;
}

/** The typed row, encoded into the network's inputs (and target) of the own-point form; a value that cannot be read is said. */
function encode(): void {
  const table = app.problem.table;
  if (!table) return;
  const values = [...$('customRawFields').querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-raw]')].map((e) => (e.value.trim() === '' ? null : e.value));
  let x: number[];
  try {
    x = encodeRecord(table.prep, values, 'Your point', { unknown: 'error' });
  } catch (e) {
    say(cliMessage(e));
    return;
  }
  const inputs = $('customFields').querySelectorAll<HTMLInputElement>('[data-input]');
  x.forEach((v, i) => {
    if (inputs[i]) inputs[i].value = String(Number(v.toPrecision(6)));
  });
  const typed = $('customRawFields').querySelector<HTMLInputElement>('[data-raw-target]');
  const target = $('customFields').querySelector<HTMLInputElement>('input[data-target]');
  if (typed && target && typed.value.trim() !== '') {
    const y = scaledTarget(table.prep, typed.value);
    if (!Number.isFinite(y)) {
      say(`Your point: ${table.prep.target!.name} expected a number, got "${typed.value}".`);
      return;
    }
    target.value = String(Number(y.toPrecision(6)));
  }
  say('');
}

on('reset', build);
$('encodeRaw').addEventListener('click', encode);
