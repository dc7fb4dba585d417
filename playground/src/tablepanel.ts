// Tables on the page: the learner's own CSV file (chosen or dropped), the target column, the heat map's plane (two
// inputs, or the principal components), each class's accuracy, and the exports. The file is read by the library's
// table layer (tables.ts); a file it refuses gets the command line's one-line message and changes nothing.
import { tableNotes } from '../../src/index.js';
import { DATE_PART_NAMES } from '../../src/data/dates.js';
import { $, app, on, say, update, useTable } from './app.js';
import { css, classColour, escapeHtml } from './draw.js';
import { FEATURES, firstMap, inputNames, makeProblem } from './problem.js';
import { isTableSet } from './state.js';
import { cliMessage, MAX_BYTES, MAX_ROWS, parseSource, tableOf, type TableSource } from './tables.js';

const file = $<HTMLInputElement>('csvFile');
const drop = $('dropZone');

async function readFile(f: File): Promise<void> {
  if (f.size > MAX_BYTES) {
    say(`backprop: ${f.name}: ${f.size} bytes is more than the playground's ${MAX_BYTES}-byte limit (at most ${MAX_ROWS} rows; backprop train reads larger files)`);
    return;
  }
  let source: TableSource;
  try {
    // The bytes as the command line reads them: a zero byte or text that is not UTF-8 is refused in its words.
    source = await parseSource(f.name, new Uint8Array(await f.arrayBuffer()));
  } catch (e) {
    say(cliMessage(e));
    return;
  }
  // (A file that opens clears what was said before, or says which target it took: useTable.)
  useTable('upload', source);
}

file.addEventListener('change', () => {
  const f = file.files?.[0];
  if (f) void readFile(f).finally(() => (file.value = ''));
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) void readFile(f);
});

$('targetColumn').addEventListener('change', (e) => {
  const target = (e.target as HTMLSelectElement).value;
  let axes = '0,1';
  try {
    axes = firstMap(makeProblem({ ...app.state, target, axes, lesson: null }));
  } catch {
    // A target the library refuses: update() says why and keeps the table as it was.
  }
  update({ target, axes });
});
$('axes').addEventListener('change', (e) => update({ axes: (e.target as HTMLSelectElement).value }));

/** A generated set's (or a lesson's) input columns, each with what it is. */
function inputColumns(s: typeof app.state): string {
  if (s.lesson) return `${inputNames(s).map((_, i) => `x${i + 1}`).join(', ')} (the lesson's inputs as typed)`;
  return `${s.features.map((f) => `${f} = ${FEATURES[f].code}`).join(', ')} (x1, x2: the point's coordinates on the plane)`;
}


function render(): void {
  const s = app.state, table = app.problem.table;
  const on = isTableSet(s.dataset);
  $('tableSettings').hidden = !on || !table;
  $('export').hidden = on && !table;
  $('exportNote').textContent = table ? '' : `The model's columns are the network's inputs as it sees them: ${inputColumns(s)}; it predicts ${app.problem.task === 'classification' ? 'the class 0 or 1' : 'the value'}.`;
  if (!table) return;
  const loaded = tableOf(s.dataset as 'iris' | 'digits' | 'upload');
  const names = loaded?.frame.columns.map((c) => c.name) ?? [];
  const target = table.prep.target!.name;
  $<HTMLSelectElement>('targetColumn').innerHTML = names.map((n) => `<option value="${escapeHtml(n)}"${n === target ? ' selected' : ''}>${escapeHtml(n)}</option>`).join('');
  const pairs: [string, string][] = [['pca', 'projection: first two principal components']];
  const d = table.inputNames.length;
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d && pairs.length < 200; j++) pairs.push([`${i},${j}`, `${table.inputNames[i]} × ${table.inputNames[j]}`]);
  const axes = pairs.some(([v]) => v === s.axes) ? s.axes : '0,1';
  $<HTMLSelectElement>('axes').innerHTML = pairs.map(([v, label]) => `<option value="${v}"${v === axes ? ' selected' : ''}>${escapeHtml(label)}</option>`).join('');
  const task = table.classes ? `${table.classes.length} classes (${table.classes.length === 2 ? 'one sigmoid output, cross-entropy' : 'softmax, one output per class, categorical cross-entropy'})`
    : 'regression (a linear output; squared error — the library has no absolute-error loss, so squared error is the only choice)';
  $('tableSummary').textContent = `${table.name}: ${table.rows.train.length + table.rows.test.length} rows, ${d} inputs after encoding; target "${target}": ${task}.`;
  $('tableNotes').replaceChildren(...planNotes(table).map((text) => Object.assign(document.createElement('li'), { textContent: text })));
}

/**
 * What the table layer did to the file, in the words of backprop train's plan (the library's tableNotes): the values
 * it fills, the columns it leaves out, the dates it splits into parts.
 */
function planNotes(table: NonNullable<typeof app.problem.table>): string[] {
  const notes = tableNotes(table);
  const dates = table.prep.features.filter((f) => f.type === 'date');
  return [
    ...(table.prep.decimalComma ? ['Numbers written with a decimal comma (9,3 is 9.3), read so, as backprop train --decimal-comma reads them; the model file says so.'] : []),
    ...(notes.missing ? [`Missing values: ${notes.missing}.`] : []),
    ...notes.leftOut.map((l) => `Left out: ${l.replace('; --keep', '; backprop train --keep')}.`),
    ...notes.notDates.map((l) => `Column ${l.replace(' (--na-values)', '')}.`),
    ...notes.mixed.map((l) => `Column ${l.replace('; --na-values marks words missing', '')}.`),
    ...dates.map((f) => `Date column ${f.name}: turned into ${f.parts.map((p) => DATE_PART_NAMES[p]).join(', ')} (one input each).`),
  ];
}

function renderAccuracy(): void {
  const a = app.snapshot?.accuracy, classes = app.problem.table?.classes;
  const box = $('accuracy');
  box.hidden = !a || !classes;
  if (!a || !classes) return;
  const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
  box.innerHTML = `<p>Accuracy: training <output id="trainAccuracy" data-value="${a.train}">${pct(a.train)}</output> · test <output id="testAccuracy" data-value="${a.test}">${pct(a.test)}</output>`
    + ` · all rows <output id="allAccuracy" data-value="${a.all}">${pct(a.all)}</output></p>`
    + `<table class="per-class"><thead><tr><th scope="col">class</th><th scope="col">rows</th><th scope="col">right</th></tr></thead><tbody>`
    + a.perClass.map((c, k) => `<tr data-class="${k}"><th scope="row"><i style="background:${css(classColour(k))}"></i>${escapeHtml(classes[k])}</th>`
      + `<td>${c.rows}</td><td data-value="${c.rows ? c.correct / c.rows : NaN}">${c.rows ? pct(c.correct / c.rows) : '–'}</td></tr>`).join('')
    + '</tbody></table>';
}

function download(name: string, type: string, data: string | Uint8Array): void {
  const blob = new Blob([data as BlobPart], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

for (const [id, kind] of [['exportModel', 'model'], ['exportOnnx', 'onnx'], ['exportModule', 'module']] as const) {
  $(id).addEventListener('click', async () => {
    try {
      const { exportFile } = await import('./export.js');
      const f = exportFile(app, kind);
      download(f.name, f.type, f.data);
      if (kind === 'module') {
        const t = exportFile(app, 'types');
        download(t.name, t.type, t.data);
      }
    } catch (e) {
      say(`Export: ${(e as Error).message}`);
    }
  });
}

$('copyCode').addEventListener('click', async () => {
  const { codeFor } = await import('./export.js');
  const code = codeFor(app);
  $('codeText').textContent = code;
  $('codeText').hidden = false;
  try {
    await navigator.clipboard.writeText(code);
    $('copyNote').textContent = 'Copied.';
  } catch {
    $('copyNote').textContent = 'Select the code below and copy it.';
  }
});

on('reset', () => {
  render();
  $('codeText').hidden = true;
  $('copyNote').textContent = '';
});
on('controls', render);
on('render', renderAccuracy);
