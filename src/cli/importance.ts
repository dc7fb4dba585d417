// `backprop importance <model> <data>`: permutation feature importance (model/importance.ts), printed as a table
// or drawn as bars.
import { printable, printableLines } from '../core/errors.js';
import { markupText } from '../core/escape.js';
import type { ImportanceResult } from '../model/importance.js';
import { stageFile, commitFiles } from '../node/files.js';
import { checkOutputs } from './options.js';
import { loadFrame, type DataOptions } from '../node/read.js';
import { openModel } from './evaluate.js';

// Names from the table (columns, classes, the file) enter the SVG only through markupText.
const esc = markupText;

/** A horizontal bar per feature, most important at the top, with its ± one standard deviation as a whisker. */
export function renderImportance(result: ImportanceResult, title: string): string {
  const rows = result.features, bar = 22, left = 16 + 7 * Math.min(40, Math.max(...rows.map((f) => f.name.length))), width = left + 360, top = 48;
  const height = top + rows.length * bar + 40;
  const hi = Math.max(1e-12, ...rows.map((f) => f.importance + f.std)), lo = Math.min(0, ...rows.map((f) => f.importance - f.std));
  const x = (v: number): number => left + ((v - lo) / (hi - lo)) * 340;
  const label = result.metric === 'accuracy' ? 'drop in accuracy' : 'drop in R²';
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<text x="${width / 2}" y="36" text-anchor="middle" fill="#555">${label} when the column is shuffled (baseline ${result.baseline.toFixed(3)}, ${result.repeats} repeats)</text>`,
    `<line x1="${x(0)}" y1="${top - 4}" x2="${x(0)}" y2="${top + rows.length * bar}" stroke="#999"/>`,
  ];
  rows.forEach((f, i) => {
    const y = top + i * bar;
    const [a, b] = [x(Math.min(0, f.importance)), x(Math.max(0, f.importance))];
    out.push(`<text x="${left - 6}" y="${y + 15}" text-anchor="end">${esc(f.name.length > 40 ? f.name.slice(0, 39) + '…' : f.name)}</text>`,
      `<rect x="${a}" y="${y + 4}" width="${Math.max(0.5, b - a)}" height="${bar - 8}" fill="${f.importance >= 0 ? '#0877bd' : '#e8710a'}"><title>${esc(f.name)}: ${f.importance.toFixed(4)} ± ${f.std.toFixed(4)}</title></rect>`,
      `<line x1="${x(f.importance - f.std)}" y1="${y + bar / 2}" x2="${x(f.importance + f.std)}" y2="${y + bar / 2}" stroke="#333"/>`);
  });
  const axis = top + rows.length * bar + 16;
  out.push(`<text x="${x(lo)}" y="${axis}" text-anchor="start" fill="#555">${lo.toFixed(3)}</text>`, `<text x="${x(hi)}" y="${axis}" text-anchor="end" fill="#555">${hi.toFixed(3)}</text>`, '</svg>');
  return out.join('\n') + '\n';
}

export async function importanceCommand(modelPath: string, dataPath: string, o: DataOptions & { repeats: number; seed: number; json: boolean; plot?: string }, out: NodeJS.WritableStream): Promise<void> {
  checkOutputs([['--plot', o.plot]], [modelPath, dataPath]);
  const model = openModel(modelPath);
  const frame = await loadFrame(dataPath, {}, { ...o, naValues: model.naValuesWith(o.naValues), decimalComma: o.decimalComma || model.decimalComma });
  const result = model.importance(frame, { repeats: o.repeats, seed: o.seed });
  if (o.plot) commitFiles([stageFile(o.plot, renderImportance(result, `backprop importance ${modelPath} ${dataPath}`))]);
  if (o.json) {
    out.write(JSON.stringify(result) + '\n');
    return;
  }
  const metric = result.metric === 'accuracy' ? 'accuracy' : 'R²';
  const width = Math.max(7, ...result.features.map((f) => printable(f.name, Infinity).length));
  out.write(printableLines(`${frame.source}: ${frame.rows} rows, baseline ${metric} ${result.baseline.toFixed(4)}; drop in ${metric} with each column shuffled, ${o.repeats} repeats (seed ${o.seed})\n`));
  out.write(`${'feature'.padEnd(width)}  importance        std\n`);
  for (const f of result.features) out.write(printableLines(`${printable(f.name, Infinity).padEnd(width)}  ${f.importance.toFixed(4).padStart(10)}  ${f.std.toFixed(4).padStart(9)}\n`));
  if (o.plot) out.write(`plot written to ${o.plot}\n`);
}
